//! Form bodies from outside: every signed-in form is read by `pages::form::typed` (ids as
//! `Option<i64>` through `empty_as_none`, text, repeated fields); a body never panics the
//! reader, and a value that does not fit is refused with its field named.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use xianfeng_web::pages::form::{empty_as_none, typed};

#[derive(Deserialize)]
#[allow(dead_code)]
struct Shape {
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    org_id: Option<i64>,
    #[serde(default, deserialize_with = "empty_as_none")]
    hours: Option<f64>,
    #[serde(default)]
    note: Option<String>,
}

fuzz_target!(|data: &[u8]| {
    let _ = typed::<Shape>(data);
    let _ = typed::<Vec<(String, String)>>(data);
});
