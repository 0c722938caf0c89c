fn main() {
    let mut doc = String::new();
    for f in std::env::args().skip(1) {
        doc.push_str(&std::fs::read_to_string(&f).unwrap());
    }
    let one = doc.clone();
    while doc.chars().count() < 200_000 {
        doc.push_str(&one);
    }
    let t = std::time::Instant::now();
    let p = xianfeng_plan::parse_text(&doc);
    println!(
        "{} chars: {:?}; {} measures {} targets",
        doc.chars().count(),
        t.elapsed(),
        p.measures.len(),
        p.targets.len()
    );
}
