fn main() {
    for f in std::env::args().skip(1) {
        let p = xianfeng_plan::parse_bytes(&std::fs::read(&f).unwrap()).unwrap();
        println!("=== {f}\n{}", xianfeng_plan::render::text(&p));
    }
}
