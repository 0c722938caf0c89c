//! One function per command: open the store, call the crates, print.

use std::path::{Path, PathBuf};

use xianfeng_demo::bench;
use xianfeng_demo::seed::{self, Scale};
use xianfeng_store::{
    audit, people::members, people::orgs, settings, sqlite_path, Check, Store, StoreError, Vault,
};
use xianfeng_web::{roster, AppState};

pub struct Ctx {
    pub database_url: String,
    pub key_file: Option<PathBuf>,
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Where the personal-data key comes from: `XIANFENG_SECRET_KEY`, else the key file (beside an
/// SQLite database by default).
enum Key {
    Given(Box<Vault>),
    File(PathBuf),
}

fn key(ctx: &Ctx, url: &str) -> std::result::Result<Key, StoreError> {
    if let Ok(hex) = std::env::var("XIANFENG_SECRET_KEY") {
        return Vault::from_hex(&hex).map(|v| Key::Given(Box::new(v)));
    }
    Ok(Key::File(ctx.key_file.clone().unwrap_or_else(|| {
        match sqlite_path(url) {
            Some(p) => p
                .parent()
                .map(|d| d.join("secret.key"))
                .unwrap_or_else(|| PathBuf::from("secret.key")),
            None => PathBuf::from("data/secret.key"),
        }
    })))
}

/// Opens and migrates the database with its key (see `crypto::check_key`); a missing key file
/// is written only once the database has accepted the new key.
fn open_url(ctx: &Ctx, url: &str) -> Result<Store> {
    let (vault, missing) = match key(ctx, url)? {
        Key::Given(v) => (*v, None),
        Key::File(path) => match Vault::load(&path)? {
            Some(v) => (v, None),
            None => (Vault::from_key(rand::random()), Some(path)),
        },
    };
    let mut store = Store::open(url, vault)?;
    store.migrate()?;
    store.read(|c| xianfeng_store::crypto::check_key(c, &store.vault, missing.as_deref()))?;
    if let Some(path) = missing {
        store.vault = Vault::create(&path)?;
    }
    Ok(store)
}

fn open(ctx: &Ctx) -> Result<Store> {
    open_url(ctx, &ctx.database_url)
}

fn run_server(store: Store, bind: &str, secure_cookies: bool) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut state = AppState::new(store);
        state.secure_cookies = secure_cookies;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| format!("无法监听 {bind}：{e}"))?;
        println!("先锋已启动：http://{}", listener.local_addr()?);
        xianfeng_web::serve(state, listener).await?;
        Ok(())
    })
}

pub fn serve(ctx: &Ctx, bind: &str, secure_cookies: bool) -> Result<()> {
    let store = open(ctx)?;
    tracing::info!("数据库：{}", store.describe());
    run_server(store, bind, secure_cookies)
}

pub fn demo(ctx: &Ctx, bind: &str, no_serve: bool) -> Result<()> {
    let store = open(ctx)?;
    let logins = if seed::is_empty(&store)? {
        println!("正在生成演示县数据……");
        let g = seed::generate(&store, Scale::County, 1)?;
        println!(
            "已生成：{}个组织，{}名党员（{:.1}秒）",
            g.orgs, g.members, g.seconds
        );
        let started = std::time::Instant::now();
        let today = xianfeng_domain::date::today();
        let life = xianfeng_demo::seed::life::generate(&store, 1, 12, today, Some(g.branch_id))?;
        xianfeng_demo::seed::life::contact_points(&store, g.town_id, today)?;
        println!(
            "已生成近一年组织生活：{}次会议活动，{}条出勤，{}期培训（{:.1}秒）",
            life.meetings,
            life.attendance,
            life.trainings,
            started.elapsed().as_secs_f64()
        );
        let plan_text = include_str!("../../plan/tests/fixtures/demo_plan.txt");
        let plan = xianfeng_plan::parse_text(plan_text);
        let plan_json = serde_json::to_value(&plan).map_err(|e| e.to_string())?;
        let campaign = xianfeng_demo::seed::campaign::generate(
            &store,
            g.county_id,
            &plan.title,
            &plan.text,
            &plan_json,
            today,
            Some(g.branch_id),
        )?;
        println!("已发布演示活动（编号{campaign}）并生成近几个月的进展报送");
        let sup = xianfeng_demo::seed::supervision::generate(&store, g.county_id, 4, today)?;
        println!(
            "已生成督查：{}次督查，{}个问题（{}次逾期升级），{}个荣誉称号",
            sup.inspections, sup.problems, sup.escalations, sup.titles
        );
        let dec = xianfeng_demo::seed::decisions::generate(&store, g.county_id, today)?;
        println!(
            "已生成四议两公开：{}项重大事项，{}个议事步骤（{}项未通过而终止），{}条异议",
            dec.matters, dec.steps, dec.stopped, dec.objections
        );
        let started = std::time::Instant::now();
        let pts = xianfeng_demo::seed::points::generate(&store, g.county_id, g.branch_id, today)?;
        println!(
            "已生成积分制：{}户{}名群众，{}条积分记录，{}次兑换，{}条待审核申报（{:.1}秒）",
            pts.households,
            pts.residents,
            pts.entries,
            pts.redemptions,
            pts.pending,
            started.elapsed().as_secs_f64()
        );
        let started = std::time::Instant::now();
        let gr = xianfeng_demo::seed::grids::generate(&store, g.county_id, today)?;
        println!(
            "已生成网格：{}个网格，{}户入格，{}户党员联户，{}次走访（{:.1}秒）",
            gr.grids,
            gr.placed,
            gr.linked,
            gr.visits,
            started.elapsed().as_secs_f64()
        );
        let started = std::time::Instant::now();
        let aw = xianfeng_demo::seed::awards::generate(
            &store,
            g.county_id,
            g.town_id,
            g.branch_id,
            today,
        )?;
        println!(
            "已生成承诺评议表彰：{}项承诺（{}条践诺记录），{}次领导点评，{}张评议票，{}条星级评定，{}项表彰推荐（{:.1}秒）",
            aw.commitments,
            aw.entries,
            aw.leader_reviews,
            aw.ballots,
            aw.ratings,
            aw.nominations,
            started.elapsed().as_secs_f64()
        );
        let br = xianfeng_demo::seed::brands::generate(&store, g.county_id, g.town_id, today)?;
        println!(
            "已生成品牌示范：{}个党建品牌，{}个示范点，{}笔经费支出",
            br.brands, br.sites, br.spends
        );
        seed::demo_accounts(&store, &g)?
    } else {
        println!("复用已有数据：{}", store.describe());
        seed::existing_accounts(&store)?
    };
    println!("\n演示账号（密码均为 {}）：", seed::DEMO_PASSWORD);
    for (user, name, role) in &logins {
        println!("  {user:<18} {role:<10} {name}");
    }
    if no_serve {
        return Ok(());
    }
    println!("\n浏览器打开 http://{bind} ，按 Ctrl+C 停止。");
    run_server(store, bind, false)
}

pub fn migrate(ctx: &Ctx) -> Result<()> {
    let store = open(ctx)?;
    println!("迁移完成：{}", store.describe());
    Ok(())
}

pub fn init(ctx: &Ctx, name: &str, admin: &str) -> Result<()> {
    let store = open(ctx)?;
    if !seed::is_empty(&store)? {
        return Err("数据库中已有组织，init 只用于全新部署".into());
    }
    let password = match std::env::var("XIANFENG_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("请输入管理员 {admin} 的密码（至少10位）：");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    xianfeng_domain::auth::check_username(admin)?;
    xianfeng_domain::auth::check_new_password(&password)?;
    let draft = xianfeng_domain::org::OrgInput {
        name: name.into(),
        kind: "县委".into(),
        domain: "机关".into(),
        committee_size: String::new(),
    }
    .validate(None)?;
    let hash = xianfeng_domain::auth::hash_password(&password)?;
    let root = store.write(|c| -> xianfeng_store::Result<_> {
        let root = orgs::create(c, None, None, &draft)?;
        xianfeng_store::people::accounts::create(
            c,
            &xianfeng_store::people::accounts::NewAccount {
                username: admin,
                display_name: &format!("{}管理员", root.name),
                password_hash: &hash,
                role: xianfeng_domain::auth::Role::CountyAdmin,
                org_id: root.id,
                member_id: None,
            },
        )?;
        Ok(root)
    })?;
    println!("已建立“{}”（组织编号 {}）和县级管理员 {admin}。用 xianfeng serve 启动后登录，在“组织”中建立下级组织，在“账号”中开通其他账号。", root.name, root.id);
    Ok(())
}

fn scale(s: &str) -> Result<Scale> {
    Scale::parse(s).ok_or_else(|| format!("规模应为 county 或 province，而不是“{s}”").into())
}

pub fn gen(ctx: &Ctx, scale_name: &str, seed_value: u64) -> Result<()> {
    let store = open(ctx)?;
    let g = seed::generate(&store, scale(scale_name)?, seed_value)?;
    println!(
        "已生成：{}个组织，{}名党员，用时{:.1}秒（{:.0} 行/秒）",
        g.orgs,
        g.members,
        g.seconds,
        (g.orgs + g.members) as f64 / g.seconds.max(0.001)
    );
    Ok(())
}

fn root_scope(store: &Store, org: Option<i64>) -> Result<xianfeng_domain::org::Org> {
    Ok(store.read(|c| match org {
        Some(id) => orgs::require(c, id),
        None => orgs::roots(c)?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound("组织树")),
    })?)
}

pub fn import_members(ctx: &Ctx, file: &Path, org: Option<i64>) -> Result<()> {
    let store = open(ctx)?;
    let rules = store.read(|c| settings::rules(c))?;
    // The same bounds as an upload: the file's size first, then the sheet's as it is read.
    let size = std::fs::metadata(file)
        .map_err(|e| format!("无法读取 {}：{e}", file.display()))?
        .len();
    if size > rules.upload_max_bytes.max(0) as u64 {
        return Err(roster::RosterError::TooLarge(rules.upload_max_mb()).into());
    }
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let rows = roster::parse_within(
        &bytes,
        &xianfeng_web::sheet::SheetLimits::from_rules(&rules),
    )?;
    let scope = root_scope(&store, org)?;
    match store.write(|c| roster::import(c, &store.vault, None, &scope, &rows)) {
        Ok(n) => {
            println!("导入成功：{n}名党员");
            Ok(())
        }
        Err(StoreError::Invalid(e)) => {
            for r in roster::report(&e) {
                eprintln!("第{}行 {}：{}", r.row, r.column, r.message);
            }
            Err(format!("共{}处错误，未导入任何数据", e.0.len()).into())
        }
        Err(e) => Err(e.into()),
    }
}

pub fn export_members(ctx: &Ctx, org: i64, file: &Path) -> Result<()> {
    let store = open(ctx)?;
    let rows = store.write(|c| -> xianfeng_store::Result<_> {
        let o = orgs::require(c, org)?;
        let rows = members::export(c, &store.vault, &o.path, true)?;
        let root = orgs::roots(c)?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound("组织树"))?;
        let labels: std::collections::HashMap<i64, String> =
            orgs::qualified_branch_names(c, &root)?
                .into_iter()
                .collect();
        audit::append(
            c,
            audit::Record {
                actor: None,
                org_id: Some(o.id),
                action: "roster.export",
                entity: "org",
                entity_id: Some(o.id),
                before: serde_json::Value::Null,
                after: serde_json::json!({"rows": rows.len(), "personal_data": true, "via": "cli"}),
            },
        )?;
        Ok((rows, labels))
    })?;
    let (rows, labels) = rows;
    std::fs::write(file, roster::export(&rows, &labels)?)?;
    println!("已导出{}名党员到 {}", rows.len(), file.display());
    Ok(())
}

pub fn audit_verify(ctx: &Ctx) -> Result<()> {
    let store = open(ctx)?;
    match store.read(audit::verify)? {
        Check::Sound(n) => println!("审计日志完整：{n}条记录的哈希链校验通过"),
        Check::Broken(e) => return Err(format!("审计日志被篡改：{e}").into()),
    }
    if let Some((seq, hash)) = store.read(audit::head)? {
        println!("链尾：第{seq}条，哈希 {hash}");
    }
    match store.read(xianfeng_store::points::check)? {
        Check::Sound(()) => {
            println!("积分账本平衡：余额合计为零，个人余额无负数，余额与账目、年度积分与账目一致")
        }
        Check::Broken(e) => return Err(format!("积分账本不一致：{e}").into()),
    }
    match store.read(xianfeng_store::recognition::evaluations::check)? {
        Check::Sound(n) => {
            println!("评议打分完整：{n}条打分与审计记录一致");
            Ok(())
        }
        Check::Broken(e) => Err(format!("评议打分被篡改：{e}").into()),
    }
}

pub fn backup(ctx: &Ctx, file: &Path) -> Result<()> {
    let store = open(ctx)?;
    store.backup(file)?;
    println!("已备份到 {}", file.display());
    Ok(())
}

/// Plan-document parsing time on a document of at least 15 000 characters.
fn bench_plan(runs: usize) -> Result<()> {
    // The fixture ends with a web page's link list, which the parser cuts; repeat the body only.
    let fixture = include_str!("../../plan/tests/fixtures/demo_plan.txt");
    let one = fixture.split("相關推薦").next().unwrap_or(fixture);
    let mut doc = String::new();
    while doc.chars().count() < 15_000 {
        doc.push_str(one);
        doc.push('\n');
    }
    let (lat, found) = bench::measure(runs, 10_000.0, || {
        Ok(xianfeng_plan::parse_text(&doc).targets.len() as i64)
    })?;
    println!(
        "文件解析：{}字的方案（{}项目标） {lat}\n",
        doc.chars().count(),
        found
    );
    Ok(())
}

/// Benchmarks on a dedicated database per scale (generated on first use, then reused).
pub fn bench(
    ctx: &Ctx,
    scale_name: &str,
    runs: usize,
    records: i64,
    (points, batch): (usize, usize),
) -> Result<()> {
    let sc = scale(scale_name)?;
    bench_plan(runs)?;
    let url = if ctx.database_url.starts_with("postgres") {
        ctx.database_url.clone()
    } else {
        format!("sqlite://data/bench-{scale_name}.db")
    };
    let store = open_url(ctx, &url)?;
    println!("性能测试 · 规模 {scale_name} · 数据库 {}", store.describe());
    if seed::is_empty(&store)? {
        let g = seed::generate(&store, sc, 7)?;
        println!(
            "生成：{}个组织 + {}名党员，{:.1}秒，{:.0} 行/秒",
            g.orgs,
            g.members,
            g.seconds,
            (g.orgs + g.members) as f64 / g.seconds.max(0.001)
        );
    } else {
        println!("复用已生成的数据（删除该数据库可重新生成并测量生成速度）");
    }
    let targets = store.read(|c| -> xianfeng_store::Result<_> {
        let root = orgs::roots(c)?.into_iter().next().ok_or(StoreError::NotFound("组织树"))?;
        let town = c.query_one("SELECT id FROM orgs WHERE kind IN ('committee','work_committee') AND depth = (SELECT MAX(depth) FROM orgs WHERE kind IN ('committee','work_committee')) ORDER BY id LIMIT 1", &[])?.i64(0)?;
        let branch = c.query_one("SELECT org_id FROM members GROUP BY org_id ORDER BY COUNT(*) DESC, org_id LIMIT 1", &[])?.i64(0)?;
        let totals = orgs::totals(c, root.id)?;
        Ok((root.id, town, branch, totals))
    })?;
    let (root, town, branch, totals) = targets;
    let today = xianfeng_domain::date::today();
    let meetings = store.read(|c| c.scalar("SELECT COUNT(*) FROM meetings", &[]))?;
    if meetings == 0 {
        // A year of life at county scale; the current month only at province scale.
        let months = if scale_name == "province" { 1 } else { 12 };
        let started = std::time::Instant::now();
        let life = xianfeng_demo::seed::life::generate(&store, 7, months, today, None)?;
        println!(
            "生成组织生活：{}次会议活动 + {}条出勤，{:.1}秒",
            life.meetings,
            life.attendance,
            started.elapsed().as_secs_f64()
        );
    }
    let indicator = xianfeng_demo::bench::indicator::prepare(&store, records, 7)?;
    let homes = xianfeng_demo::bench::coverage::prepare(&store, 20)?;
    if homes > 0 {
        println!("生成网格联户：{homes}户（每个支部20户，五分之四有党员联户）");
    }
    if let Some(w) = xianfeng_demo::bench::points::prepare(&store, points, batch, today)? {
        println!(
            "积分账本写入（经记账路径，SQLite 为 synchronous=FULL）：逐笔提交 {} 条 {:.0} 条/秒；每批 {} 条提交 {} 条 {:.0} 条/秒",
            w.single, w.single_per_s, w.batch, w.batched, w.batched_per_s
        );
    }
    println!("数据：{}个组织，{}名党员\n", totals.orgs, totals.members);
    println!(
        "{:<10} {:<4} {:<48} {:<48} {:>8}",
        "查询", "层级", "先锋（汇总行 / 路径区间）", "朴素做法（递归遍历）", "倍数"
    );
    let levels = [("全域", root), ("乡镇", town), ("支部", branch)];
    let mut lines = bench::run(&store, &levels, runs)?;
    lines.extend(bench::run_life(&store, &levels, runs, today)?);
    if let Some((ind, task)) = indicator {
        lines.extend(xianfeng_demo::bench::indicator::run(
            &store, &levels, runs, ind, task,
        )?);
    }
    lines.extend(xianfeng_demo::bench::points::run(
        &store, &levels, runs, today,
    )?);
    lines.extend(xianfeng_demo::bench::publish::run(
        &store,
        ("全域", root),
        runs,
    )?);
    lines.extend(xianfeng_demo::bench::coverage::run(&store, &levels, runs)?);
    for line in lines {
        println!(
            "{:<10} {:<4} {:<48} {:<48} {:>7.1}×{}",
            line.query,
            line.level,
            line.fast.to_string(),
            line.naive.to_string(),
            line.naive.p99 / line.fast.p99.max(0.000_1),
            if line.agree {
                ""
            } else {
                "  （结果不一致！）"
            }
        );
    }
    Ok(())
}

/// Parses a plan document; needs no database. A file with no outline to print is an error.
pub fn plan_parse(file: &Path, format: &str) -> Result<()> {
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let plan = xianfeng_plan::parse_outlined(&bytes)?;
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(&plan)?),
        "text" => print!("{}", xianfeng_plan::render::text(&plan)),
        other => return Err(format!("格式应为 json 或 text，而不是“{other}”").into()),
    }
    Ok(())
}

/// `plan publish`: parse, make a draft with the reader's suggestions as they are, publish it
/// under `org` as the system, and print what was made (or that the file was published before).
pub fn plan_publish(
    ctx: &Ctx,
    file: &Path,
    org: i64,
    year: Option<i32>,
    format: &str,
) -> Result<()> {
    if format != "json" {
        return Err(format!("格式应为 json，而不是“{format}”").into());
    }
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let plan = xianfeng_plan::parse_outlined(&bytes)?;
    let json = serde_json::to_value(&plan)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let store = open(ctx)?;
    let year = year.unwrap_or_else(xianfeng_store::plans::publish::this_year);
    let report = store.write(|c| -> xianfeng_store::Result<_> {
        let o = orgs::require(c, org)?;
        let actor = xianfeng_domain::auth::Actor {
            account_id: 0,
            username: "system".into(),
            display_name: "命令行发布".into(),
            role: xianfeng_domain::auth::Role::CountyAdmin,
            scope_org_id: o.id,
            scope_path: o.path.clone(),
            member_id: None,
        };
        xianfeng_store::plans::publish::publish_file(
            c,
            &actor,
            &o,
            &name,
            &bytes,
            &plan.title,
            &plan.text,
            &json,
            year,
        )
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
