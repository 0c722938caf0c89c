//! Support for the whole-binary fault tests: a database (an SQLite file, or a PostgreSQL schema
//! of its own), a small county in it, `xianfeng serve` as a child process on a free loopback
//! port, and a signed-in HTTP client that sees every answer as it is (no redirects followed).
//!
//! PostgreSQL comes from `XIANFENG_TEST_PG_URL`, as for the store tests; with
//! `XIANFENG_REQUIRE_PG=1` a missing server fails instead of skipping. The server under test
//! reaches its schema through the URL (`options=-csearch_path=…`) and names its connections
//! (`application_name=…`), so a test can end exactly those connections and no one else's.

#![allow(dead_code)]

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use xianfeng_domain::auth::{hash_password, Role};
use xianfeng_domain::member::MemberInput;
use xianfeng_domain::org::{Org, OrgInput};
use xianfeng_domain::points::RuleInput;
use xianfeng_domain::rules::Rules;
use xianfeng_store::{people::accounts, people::members, people::orgs, points::point_rules};
use xianfeng_store::{Conn, Store, Value, Vault};

/// The personal-data key every process of a test uses (`XIANFENG_SECRET_KEY`).
pub const KEY_HEX: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";
pub const PASSWORD: &str = "fault-test-password";
pub const SECRETARY: &str = "secretary";

fn unique(tag: &str) -> String {
    format!("{tag}_{}_{:08x}", std::process::id(), rand::random::<u32>())
}

/// A test's database: an SQLite file in a folder of its own, or a PostgreSQL schema.
pub struct Db {
    pub kind: &'static str,
    /// The URL the binary is given.
    pub url: String,
    /// A folder for the test's files (server logs, backups; the SQLite database by default).
    pub dir: PathBuf,
    /// The SQLite file.
    file: Option<PathBuf>,
    pg: Option<Pg>,
}

struct Pg {
    admin: String,
    schema: String,
    app: String,
}

/// A folder under the build directory (a real file system, unlike a tmpfs /tmp).
pub fn scratch(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(unique(tag));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Db {
    pub fn sqlite(tag: &str) -> Db {
        Db::sqlite_in(scratch(tag))
    }

    /// An SQLite database in `dir`.
    pub fn sqlite_in(dir: PathBuf) -> Db {
        let file = dir.join("x.db");
        Db::sqlite_at(dir, file)
    }

    /// An SQLite database at `file` (e.g. on a mount the test prepared), its logs in `dir`.
    pub fn sqlite_at(dir: PathBuf, file: PathBuf) -> Db {
        Db {
            kind: "sqlite",
            url: format!("sqlite://{}", file.display()),
            dir,
            file: Some(file),
            pg: None,
        }
    }

    /// A fresh schema in the test database, or `None` (with a note) when PostgreSQL is not
    /// configured and not required.
    pub fn postgres(tag: &str) -> Option<Db> {
        let required = std::env::var("XIANFENG_REQUIRE_PG").is_ok_and(|v| v == "1");
        let admin = match std::env::var("XIANFENG_TEST_PG_URL") {
            Ok(u) => u,
            Err(_) if required => panic!("XIANFENG_REQUIRE_PG=1 但未设置 XIANFENG_TEST_PG_URL"),
            Err(_) => {
                eprintln!(
                    "note: XIANFENG_TEST_PG_URL not set; PostgreSQL half of this test skipped"
                );
                return None;
            }
        };
        let mut c = match postgres::Client::connect(&admin, postgres::NoTls) {
            Ok(c) => c,
            Err(e) if required => panic!("PostgreSQL at XIANFENG_TEST_PG_URL unreachable: {e}"),
            Err(e) => {
                eprintln!("note: PostgreSQL unreachable ({e}); skipped");
                return None;
            }
        };
        let schema = unique("f");
        c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
        let app = unique("xianfeng_fault");
        let sep = if admin.contains('?') { '&' } else { '?' };
        Some(Db {
            kind: "postgres",
            url: format!("{admin}{sep}options=-csearch_path%3D{schema}&application_name={app}"),
            dir: scratch(tag),
            file: None,
            pg: Some(Pg { admin, schema, app }),
        })
    }

    /// SQLite, then PostgreSQL when available.
    pub fn both(tag: &str) -> Vec<Db> {
        let mut v = vec![Db::sqlite(tag)];
        v.extend(Db::postgres(tag));
        v
    }

    /// The store, opened (and migrated) the way the binary opens it. On PostgreSQL its
    /// connections carry a name of their own, so ending the server's leaves the test's.
    pub fn store(&self) -> Store {
        let url = match &self.pg {
            Some(pg) => self.url.replace(&pg.app, &format!("{}_test", pg.app)),
            None => self.url.clone(),
        };
        let store = Store::open(&url, Vault::from_hex(KEY_HEX).unwrap()).unwrap();
        store.migrate().unwrap();
        store
    }

    /// A connection to the test database outside the server (PostgreSQL only).
    pub fn admin(&self) -> postgres::Client {
        let pg = self.pg.as_ref().expect("PostgreSQL only");
        let mut c = postgres::Client::connect(&pg.admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("SET search_path TO {}", pg.schema))
            .unwrap();
        c
    }

    /// The schema the server works in (PostgreSQL only).
    pub fn schema(&self) -> &str {
        &self.pg.as_ref().expect("PostgreSQL only").schema
    }

    /// The test database's URL, without schema or name (PostgreSQL only).
    pub fn admin_url(&self) -> &str {
        &self.pg.as_ref().expect("PostgreSQL only").admin
    }

    /// `admin_url` with another database name.
    pub fn admin_url_for(&self, database: &str) -> String {
        let admin = self.admin_url();
        let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
        let (server, _) = base.rsplit_once('/').expect("a database name in the URL");
        match query {
            "" => format!("{server}/{database}"),
            q => format!("{server}/{database}?{q}"),
        }
    }

    /// The same schema in another database (a restored copy), under connections of its own;
    /// the schema is left to whoever drops that database.
    pub fn moved_to(&self, database: &str) -> Db {
        let pg = self.pg.as_ref().expect("PostgreSQL only");
        let admin = self.admin_url_for(database);
        let app = unique("xianfeng_restored");
        let sep = if admin.contains('?') { '&' } else { '?' };
        Db {
            kind: "postgres",
            url: format!(
                "{admin}{sep}options=-csearch_path%3D{}&application_name={app}",
                pg.schema
            ),
            dir: scratch("moved"),
            file: None,
            pg: Some(Pg {
                admin,
                schema: pg.schema.clone(),
                app,
            }),
        }
    }

    /// The `application_name` the server's connections carry (PostgreSQL only).
    pub fn app(&self) -> &str {
        &self.pg.as_ref().expect("PostgreSQL only").app
    }

    /// The SQLite file (SQLite only).
    pub fn file(&self) -> PathBuf {
        self.file.clone().expect("SQLite only")
    }

    /// Runs the binary on this database.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xianfeng"))
            .args(args)
            .env("XIANFENG_DATABASE_URL", &self.url)
            .env("XIANFENG_SECRET_KEY", KEY_HEX)
            .output()
            .unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(pg) = &self.pg {
            if let Ok(mut c) = postgres::Client::connect(&pg.admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE '{}%'; DROP SCHEMA {} CASCADE",
                    pg.app, pg.schema
                ));
            }
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The small county every fault test works in: one branch of six members and its secretary,
/// a points rule granted by attending organisational life and one recorded by cadres.
pub struct County {
    pub branch: Org,
    pub members: Vec<i64>,
    pub attendance_rule: i64,
    pub manual_rule: i64,
}

pub fn county(store: &Store) -> County {
    let today = xianfeng_domain::date::today();
    let hash = hash_password(PASSWORD).unwrap();
    store
        .write(|c| -> xianfeng_store::Result<County> {
            let org = |c: &mut dyn Conn, parent: Option<&Org>, name: &str, kind: &str| {
                let d = OrgInput {
                    name: name.into(),
                    kind: kind.into(),
                    domain: "农村".into(),
                    committee_size: String::new(),
                }
                .validate(parent.map(|p| p.kind))
                .unwrap();
                orgs::create(c, None, parent, &d)
            };
            let county = org(c, None, "故障县委", "县委")?;
            let town = org(c, Some(&county), "故障镇党委", "党委")?;
            let branch = org(c, Some(&town), "故障村党支部", "党支部")?;
            let mut ids = Vec::new();
            for n in 1..=6u32 {
                let birth = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                    + chrono::Days::new(u64::from(n) * 53);
                let d = MemberInput {
                    name: format!("党员{n}"),
                    ethnicity: "汉族".into(),
                    id_number: xianfeng_domain::idcard::build(330100, birth, n * 2 + 1),
                    phone: format!("137{n:08}"),
                    joined_on: "2010-07-01".into(),
                    full_on: "2011-07-01".into(),
                    status: "正式党员".into(),
                    ..MemberInput::default()
                }
                .validate(&Rules::default(), today, None)
                .unwrap();
                ids.push(members::create(c, &store.vault, None, &branch, &d)?);
            }
            accounts::create(
                c,
                &accounts::NewAccount {
                    username: SECRETARY,
                    display_name: "故障村书记",
                    password_hash: &hash,
                    role: Role::BranchSecretary,
                    org_id: branch.id,
                    member_id: None,
                },
            )?;
            let rule = |action: &str, points: &str, trigger: &str| {
                RuleInput {
                    action: action.into(),
                    points: points.into(),
                    trigger: trigger.into(),
                    ..RuleInput::default()
                }
                .validate(None)
                .unwrap()
            };
            let attendance_rule = point_rules::create(
                c,
                None,
                &county,
                &rule("参加组织生活", "1", "参加组织生活自动记分"),
            )?;
            let manual_rule =
                point_rules::create(c, None, &county, &rule("志愿服务", "2", "人工记录或申报"))?;
            Ok(County {
                branch,
                members: ids,
                attendance_rule,
                manual_rule,
            })
        })
        .unwrap()
}

/// The first column of every row of `sql`, as text (integers written out).
pub fn column(store: &Store, sql: &str) -> Vec<String> {
    store
        .read(|c| c.query(sql, &[]))
        .unwrap()
        .into_iter()
        .map(|r| match r.values().first().cloned() {
            Some(Value::Text(s)) => s,
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Null) | None => String::new(),
            Some(other) => format!("{other:?}"),
        })
        .collect()
}

/// `SELECT COUNT(*) FROM table` for each table, in order.
pub fn counts(store: &Store, tables: &[&str]) -> Vec<(String, String)> {
    tables
        .iter()
        .map(|t| {
            let n = column(store, &format!("SELECT COUNT(*) FROM {t}"));
            (t.to_string(), n.concat())
        })
        .collect()
}

/// `xianfeng serve` on a free loopback port; killed (and reaped) when dropped.
pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub log: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub fn start(db: &Db) -> Server {
        let port = free_port();
        let log = db.dir.join(format!("serve-{port}.log"));
        let out = File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("XIANFENG_DATABASE_URL", &db.url)
            .env("XIANFENG_SECRET_KEY", KEY_HEX)
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        let server = Server {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let started = Instant::now();
        let agent = agent();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = agent.get(format!("{}/healthz", server.base)).call() {
                if r.status() == 200 {
                    return server;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not come up: {}", server.log_text());
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Answer {
    /// A form that went through: redirected to where the record is shown.
    pub fn succeeded(&self) -> bool {
        self.status == 303 || self.status == 302
    }
}

/// A client signed in as one account.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub base: String,
    cookie: String,
    pub csrf: String,
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, String> {
    let mut r = r.map_err(|e| e.to_string())?;
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    Ok(Answer {
        status: r.status().as_u16(),
        location,
        body: r
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("reading the body: {e}"))?,
    })
}

impl Client {
    pub fn login(base: &str, user: &str) -> Client {
        let agent = agent();
        let mut r = agent
            .post(format!("{base}/api/v1/session"))
            .send_json(serde_json::json!({"username": user, "password": PASSWORD}))
            .unwrap();
        assert_eq!(r.status(), 200, "login {user}");
        let cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let v: serde_json::Value = r.body_mut().read_json().unwrap();
        Client {
            agent,
            base: base.to_string(),
            cookie,
            csrf: v["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    pub fn get(&self, path: &str) -> Result<Answer, String> {
        answer(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("cookie", &self.cookie)
                .call(),
        )
    }

    /// Posts a urlencoded form with the CSRF token.
    pub fn form(&self, path: &str, fields: &[(String, String)]) -> Result<Answer, String> {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("_csrf", &self.csrf);
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        answer(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("cookie", &self.cookie)
                .content_type("application/x-www-form-urlencoded")
                .send(body.finish()),
        )
    }

    /// Posts a multipart form with the CSRF token and at most one file
    /// `(field, file name, MIME type, bytes)`.
    pub fn multipart(
        &self,
        path: &str,
        fields: &[(String, String)],
        file: Option<(&str, &str, &str, &[u8])>,
    ) -> Result<Answer, String> {
        let boundary = format!("----xianfeng{:016x}", rand::random::<u64>());
        let mut body = Vec::new();
        let csrf = ("_csrf".to_string(), self.csrf.clone());
        for (k, v) in std::iter::once(&csrf).chain(fields) {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((field, name, mime, bytes)) = file {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n")
                    .as_bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        answer(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("cookie", &self.cookie)
                .content_type(format!("multipart/form-data; boundary={boundary}"))
                .send(&body[..]),
        )
    }
}

/// The meeting form for `branch` with everyone present, under `topic`.
pub fn meeting_form(county: &County, topic: &str) -> Vec<(String, String)> {
    let today = xianfeng_domain::date::today().to_string();
    let mut f: Vec<(String, String)> = [
        ("kind", "主题党日"),
        ("date", today.as_str()),
        ("held", "1"),
        ("place", "村党群服务中心"),
        ("host", "书记"),
        ("topic", topic),
        ("agenda", "学习"),
        ("minutes", "记录"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for id in &county.members {
        f.push((format!("a{id}"), "出席".to_string()));
    }
    f
}

/// The form a secretary uses to record points for a member, with `note`.
pub fn points_form(county: &County, member: i64, note: &str) -> Vec<(String, String)> {
    vec![
        ("person".into(), format!("m{member}")),
        ("rule".into(), county.manual_rule.to_string()),
        ("day".into(), xianfeng_domain::date::today().to_string()),
        ("note".into(), note.to_string()),
    ]
}

/// A JPEG of `size` random bytes (content-checked as a JPEG by its header).
pub fn jpeg(size: usize) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    while b.len() < size - 2 {
        b.extend(rand::random::<u64>().to_le_bytes());
    }
    b.truncate(size - 2);
    b.extend([0xFF, 0xD9]);
    b
}
