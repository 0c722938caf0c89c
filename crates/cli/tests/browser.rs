//! Browser test in real headless Chromium (Debian's chromium + chromedriver, driven over the
//! WebDriver protocol): a town administrator logs in on a phone-sized screen (the login form
//! refused once without its token), opens the tree,
//! opens a member and sees the ID number masked, reviews a plan document and the 组织生活
//! heatmap; a branch secretary records a 主题党日 with a photo and the branch turns green, then
//! reports campaign progress with a photo, and the town's campaign page shows the branch done;
//! a resident claims points from the household card, the secretary approves, and the household
//! redeems at the village store, the secretary having found the claim on 待办 and seen it leave
//! the list; a member checks in and the second time reads 您已签到. All on a 375-px phone,
//! through the bottom bar and 更多. A county publishes seed 001, whose 定性 task a branch
//! reports done and its town accepts. Screenshots go to target/screenshots/.
//!
//! `scripts/test` installs Chromium and sets XIANFENG_BROWSER_TEST=1, which makes a missing
//! browser a failure rather than a skip.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(url: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if ureq::get(url).call().is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{url} did not come up");
}

fn browser_available() -> bool {
    let ok = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    ok("chromium") && ok("chromedriver")
}

/// A minimal WebDriver session.
struct Browser {
    agent: ureq::Agent,
    base: String,
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let mut resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(b)) => self.agent.post(&url).send_json(&b),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = resp.body_mut().read_json().unwrap();
        if v["value"]["error"].is_string() {
            panic!("{method} {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let url = format!("{}/element", self.base);
            let mut r = self
                .agent
                .post(&url)
                .send_json(json!({"using": "css selector", "value": css}))
                .unwrap();
            let v: Value = r.body_mut().read_json().unwrap();
            if let Some(id) = v["value"]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(|x| x.as_str())
            {
                return id.to_string();
            }
            if started.elapsed() > Duration::from_secs(10) {
                panic!("element {css} not found: {}", v["value"]);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Scrolls the element to the middle of the screen, clear of the phone's bottom bar (a
    /// person scrolls before tapping; WebDriver would tap through the bar).
    fn centre(&self, css: &str) {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({block: 'center'}); return 0;",
                        "args": [css]})),
        );
    }

    /// Clicks a link or button that loads a new page, and waits until it has loaded.
    fn click(&self, css: &str) {
        let before = self.url();
        let id = self.find(css);
        self.centre(css);
        self.call("POST", &format!("/element/{id}/click"), None);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            let state = self.call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "return document.readyState", "args": []})),
            );
            if self.url() != before && state == "complete" {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("clicking {css} on {before} did not load a new page");
    }

    /// Opens a menu entry on the phone: 更多 in the bottom bar, then the entry (`css` inside
    /// the list of every entry the role has).
    fn menu(&self, css: &str) {
        self.click("#bottom-bar a[href='/more']");
        self.click(&format!("#more-menu {css}"));
    }

    /// The count beside 待办 in the bottom bar (0 when none is shown).
    fn todo_count(&self) -> i64 {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "const e = document.querySelector('#bottom-bar b.count'); return e ? e.textContent.trim() : '0';", "args": []})),
        )
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0)
    }

    /// Taps an element that does not navigate (a radio button), or whose page stays at the same
    /// address (a form posting to itself).
    fn tap(&self, css: &str) {
        let id = self.find(css);
        self.centre(css);
        self.call("POST", &format!("/element/{id}/click"), None);
    }

    /// Waits until the text of `css` contains `needle`, and returns it. Reads through a script,
    /// so a page replaced meanwhile is read afresh rather than through a stale element.
    fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let t = self
                .call(
                    "POST",
                    "/execute/sync",
                    Some(json!({"script": "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", "args": [css]})),
                )
                .as_str()
                .unwrap_or_default()
                .to_string();
            if t.contains(needle) || started.elapsed() > Duration::from_secs(10) {
                return t;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.call("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let b64 = self
            .call("GET", "/screenshot", None)
            .as_str()
            .unwrap()
            .to_string();
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// A demo database served by `xianfeng serve`, and a headless phone-sized Chromium driven over
/// WebDriver. `None` (the test skipped) when Chromium is not installed and not required.
struct Env {
    dir: PathBuf,
    db: String,
    app: String,
    b: Browser,
    _server: Killed,
    _driver: Killed,
}

fn start(tag: &str) -> Option<Env> {
    if !browser_available() {
        assert!(
            std::env::var("XIANFENG_BROWSER_TEST").is_err(),
            "XIANFENG_BROWSER_TEST=1 but chromium/chromedriver are missing"
        );
        eprintln!("note: chromium or chromedriver not installed; browser test skipped (scripts/test installs them)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("xianfeng-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/demo.db", dir.display());
    let bin = env!("CARGO_BIN_EXE_xianfeng");
    let status = Command::new(bin)
        .args(["demo", "--no-serve"])
        .env("XIANFENG_DATABASE_URL", &db)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    let port = free_port();
    let server = Killed(
        Command::new(bin)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("XIANFENG_DATABASE_URL", &db)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let app = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{app}/healthz"));

    let driver_port = free_port();
    let driver_child = Killed(
        Command::new("chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let driver = format!("http://127.0.0.1:{driver_port}");
    wait_for(&format!("{driver}/status"));

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let profile = dir.join("chrome-profile");
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "mobileEmulation": {"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2.0}},
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=375,812", format!("--user-data-dir={}", profile.display())]
    }}}});
    let mut r = agent
        .post(format!("{driver}/session"))
        .send_json(&caps)
        .unwrap();
    let v: Value = r.body_mut().read_json().unwrap();
    let session = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    let b = Browser {
        agent: agent.clone(),
        base: format!("{driver}/session/{session}"),
    };
    Some(Env {
        dir,
        db,
        app,
        b,
        _server: server,
        _driver: driver_child,
    })
}

#[test]
fn town_admin_opens_the_tree_and_a_member_whose_id_is_masked() {
    let Some(env) = start("browser") else {
        return;
    };
    let (dir, app, b) = (&env.dir, &env.app, &env.b);

    // The login form comes with its token (and the token's cookie). Posted without it, the
    // form is refused and comes back with a fresh one, the user name kept; with it, the
    // administrator signs in.
    b.go(&format!("{app}/login"));
    let token = b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "const t = document.querySelector('input[name=_csrf]'); const v = t.value; t.value = ''; return v;", "args": []})),
    );
    assert!(token.as_str().unwrap_or_default().len() > 40, "{token}");
    b.type_into("#username", "town_admin");
    b.type_into("#password", "xianfeng-demo");
    b.tap("#login-submit");
    let refused = b.wait_text("main", "登录页已过期");
    assert!(refused.contains("登录页已过期"), "{refused}");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    let title = b.text("h1");
    assert!(
        title.contains("待办"),
        "after login, the to-do list: {title}"
    );
    b.screenshot("00-todo-phone.png");
    // on a phone the top menu gives way to the bottom bar
    let hidden = b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return getComputedStyle(document.querySelector('header nav.menu')).display", "args": []})),
    );
    assert_eq!(hidden, "none");
    let tap = b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return Math.min(...Array.from(document.querySelectorAll('#bottom-bar a')).map(a => a.getBoundingClientRect().height))", "args": []})),
    );
    assert!(tap.as_f64().unwrap_or(0.0) >= 44.0, "tap targets: {tap}");
    b.click("#bottom-bar a[href='/']");
    let title = b.text("h1");
    assert!(title.contains("工作台"), "{title}");
    b.screenshot("01-dashboard-phone.png");

    b.menu("a[href$='/tree']");
    assert!(b.text("h1").contains("组织树"));
    b.screenshot("02-tree-phone.png");

    b.click("ul.tree li:nth-child(2) a.org-link");
    assert!(b.url().contains("/orgs/"));
    b.click(".actions a[href$='/members']");
    b.click("a.member-link");
    assert!(b.url().contains("/members/"), "{}", b.url());
    let id = b.text("#id-number");
    assert_eq!(id.chars().count(), 18, "{id}");
    assert!(id.contains("**********"), "masked: {id}");
    assert!(
        !id.chars().skip(4).take(10).any(|c| c.is_ascii_digit()),
        "middle digits hidden: {id}"
    );
    b.screenshot("03-member-masked-phone.png");

    // Upload a plan document through the file input and review what was read.
    b.menu("a[href='/plans']");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../plan/tests/fixtures/demo_plan.txt")
        .canonicalize()
        .unwrap();
    b.type_into("input[type=file]", fixture.to_str().unwrap());
    b.click("form[action='/plans'] button[type=submit]");
    assert!(b.url().contains("/plans/"), "{}", b.url());
    let marked = b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return Array.from(document.querySelectorAll('#doc-text mark.k-targets')).map(m => m.textContent).join('|')", "args": []})),
    );
    assert!(
        marked
            .as_str()
            .unwrap_or("")
            .contains("创建党员先锋岗60个以上"),
        "highlighted targets: {marked}"
    );
    b.screenshot("04-plan-review-phone.png");

    // 组织生活 of the town: the summary and the heatmap.
    b.menu("a[href$='/life']");
    assert!(b.text("h1").contains("组织生活"));
    b.screenshot("05-life-town-phone.png");
    b.click("a[href*='/heatmap']");
    b.find("table.heat td.cell");
    b.screenshot("06-heatmap-phone.png");

    // A branch secretary records this month's 主题党日 with attendance and a photo; the branch
    // turns green.
    b.click("form.who button[type=submit]");
    b.type_into("#username", "branch_secretary");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    b.menu("a[href$='/life']");
    let light = "#standing li[data-activity='主题党日'] .light";
    let before = b.text(light);
    assert_ne!(
        before, "已完成",
        "the demo leaves this month's 主题党日 to do"
    );
    b.click("#new-meeting");
    b.type_into("#f-topic", "重温入党誓词，学习全会精神");
    b.type_into("#f-place", "村党群服务中心");
    b.type_into("#f-host", "卢刚");
    b.screenshot("07-meeting-form-phone.png");
    b.click("#meeting-submit");
    assert!(b.url().contains("/meetings/"), "{}", b.url());
    let meeting: i64 = b
        .url()
        .split('?')
        .next()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("meeting id in {}", b.url()));
    let png: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0D, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0,
        0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let photo = dir.join("现场.png");
    std::fs::write(&photo, png).unwrap();
    b.type_into("#photo-input", photo.to_str().unwrap());
    b.click("form[enctype='multipart/form-data'] button[type=submit]");
    assert!(b.text("p.ok").contains("照片已上传"));
    b.find(".photos img");
    b.screenshot("08-meeting-phone.png");
    b.click("dl.facts a[href$='/life']");
    assert_eq!(b.text(light), "已完成");
    let colour = b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return document.querySelector(arguments[0]).dataset.status", "args": [light]})),
    );
    assert_eq!(colour, "green");
    b.screenshot("09-life-green-phone.png");

    // The same secretary reports campaign progress with a photo; the town's campaign page
    // shows the branch done.
    b.menu("a[href='/campaigns']");
    b.click("table a[href^='/campaigns/']");
    b.click("#standings a[href^='/assignments/']");
    b.type_into("#f-quantity", "2");
    b.type_into("#f-narrative", "设立产业发展、网格服务两个党员先锋岗并挂牌");
    b.type_into("#evidence-input", photo.to_str().unwrap());
    b.screenshot("10-report-form-phone.png");
    b.click("#report-submit");
    assert!(b.text("p.ok").contains("进展已报送"));
    b.click("form.who button[type=submit]");
    b.type_into("#username", "town_admin");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    b.menu("a[href='/campaigns']");
    b.click("table a[href^='/campaigns/']");
    let standings = b.text("#standings");
    let line = standings
        .lines()
        .find(|l| l.contains("红星村党支部"))
        .unwrap_or_else(|| panic!("红星村党支部 not in the town's list: {standings}"));
    assert!(line.contains("已完成"), "{line}");
    b.screenshot("11-campaign-town-phone.png");

    // 积分制: a resident claims points from the household's card on a phone, the branch
    // secretary approves the claim, and the household redeems at the village store.
    b.click("form.who button[type=submit]");
    b.type_into("#username", "branch_secretary");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    b.menu("a[href$='/points']");
    b.click("nav.tabs a[href$='/households']");
    b.click("table a[href^='/point-accounts/']");
    let code = b.text("code");
    assert_eq!(code.len(), 10, "household code: {code}");
    b.click("form.who button[type=submit]");
    b.go(&format!("{app}/c/{code}"));
    let pick = |select: &str, text: &str| {
        b.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "const s = document.querySelector(arguments[0]); const o = Array.from(s.options).find(o => o.value && o.text.includes(arguments[1])); s.value = o.value; return o.text;", "args": [select, text]})),
        )
    };
    pick("select[name=person]", "");
    pick("select[name=rule]", "志愿服务");
    b.type_into("input[name=note]", "参加村里环境卫生志愿服务");
    b.type_into("input[name=evidence]", photo.to_str().unwrap());
    b.screenshot("12-points-card-claim-phone.png");
    b.click("#claim-submit");
    let notice = b.text("#notice");
    assert!(notice.contains("等待"), "{notice}");
    let claim: String = notice
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    // The secretary finds the claim on 待办, follows it to the review queue and approves it;
    // back on 待办 the line is gone and the count is one lower.
    b.go(&format!("{app}/login"));
    b.type_into("#username", "branch_secretary");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    assert!(b.text("h1").contains("待办"));
    let line = format!("#todo-list a[href$='#claim-{claim}']");
    let before = b.todo_count();
    assert!(before >= 1, "the count shows the open items");
    assert!(b.text(&line).contains("积分审核"), "{}", b.text(&line));
    b.screenshot("13-todo-claim-phone.png");
    b.click(&line);
    b.screenshot("13-points-review-phone.png");
    b.click(&format!("#claim-{claim} button[value=approve]"));
    assert!(b.text("p.ok").contains("已通过"), "{}", b.text("main"));
    b.click("#bottom-bar a[href='/todo']");
    let gone = b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "return document.querySelector(arguments[0]) === null", "args": [line]})),
    );
    assert_eq!(gone, true, "the approved claim left the list");
    assert_eq!(b.todo_count(), before - 1);
    b.click("#bottom-bar a[href$='/points']");
    b.click("a[href^='/stores/']");
    b.type_into("input[name=code]", &code);
    pick("select[name=item]", "洗洁精");
    b.click("#redeem-submit");
    let receipt = b.text("#receipt-no");
    assert!(receipt.starts_with("DH"), "{receipt}");
    assert!(b.text("main").contains("洗洁精"));
    b.screenshot("14-points-receipt-phone.png");

    // 评议表彰: the town prints the open 五个好 round's codes; a resident opens their
    // household's link on the phone and rates the branches; the code then counts as used.
    b.click("form.who button[type=submit]");
    b.type_into("#username", "town_admin");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    b.menu("a[href$='/awards']");
    assert!(
        b.text("main").contains("公示中"),
        "an award in public notice"
    );
    b.screenshot("15-awards-phone.png");
    b.click("nav.tabs a[href$='/evaluations']");
    b.click("table a[href^='/evaluations/']");
    assert!(b.text("main").contains("评议进行中"));
    b.click("a[href$='/codes']");
    let link = b.text(".codes .code a");
    assert!(link.contains("/r/"), "{link}");
    let code = link.rsplit('/').next().unwrap().to_string();
    assert!(
        b.text(".codes .code").contains("户"),
        "household codes come first"
    );
    b.click("form.who button[type=submit]");
    b.go(&format!("{app}/r/{code}"));
    assert!(b.text("main").contains("五个好"));
    b.tap("fieldset:first-of-type input[value='满意']");
    b.call(
        "POST",
        "/execute/sync",
        Some(json!({"script": "document.querySelectorAll('fieldset').forEach((f, i) => { if (i > 0) f.querySelectorAll('input[type=radio]')[i % 3].click(); }); return 0;", "args": []})),
    );
    b.screenshot("16-resident-rating-phone.png");
    b.tap("button.big");
    let thanks = b.wait_text("main", "感谢您参与评议");
    assert!(thanks.contains("感谢您参与评议"), "{thanks}");
    b.go(&format!("{app}/r/{code}"));
    assert!(b.text("main").contains("已使用过"), "{}", b.text("main"));

    // the secretary's closed round: results with their explanation
    b.go(&format!("{app}/login"));
    b.type_into("#username", "branch_secretary");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    b.menu("a[href$='/awards']");
    b.click("nav.tabs a[href$='/evaluations']");
    b.click("table a[href^='/evaluations/']");
    assert!(b.text("main").contains("综合得分"));
    b.click("a[href*='/results/']");
    assert!(b.text("main").contains("得分构成"));
    b.screenshot("17-evaluation-result-phone.png");

    // A member checks in to today's 主题党日 with the code the meeting shows (signed here with
    // the server's key, as the QR code carries it); the second time the page says 您已签到 as a
    // notice on a normal page, not a refusal.
    let vault = xianfeng_store::Vault::load_or_create(&dir.join("secret.key")).unwrap();
    let token = xianfeng_domain::checkin::sign(
        &vault.derive_key("checkin"),
        meeting,
        xianfeng_domain::date::now().timestamp() + 3600,
    );
    b.click("form.who button[type=submit]");
    b.type_into("#username", "member");
    b.type_into("#password", "xianfeng-demo");
    b.click("#login-submit");
    assert!(b.text("h1").contains("待办"));
    b.click("#bottom-bar a[href='/checkin']");
    assert!(b.text("#checkin-howto").contains("扫描"));
    b.go(&format!("{app}/checkin?t={token}"));
    let first = b.text("main");
    if first.contains("确认签到") {
        b.tap("#checkin-submit");
        let done = b.wait_text("main", "签到成功");
        assert!(done.contains("签到成功"), "{done}");
    }
    b.go(&format!("{app}/checkin?t={token}"));
    let again = b.text("main");
    assert!(again.contains("您已签到"), "{again}");
    assert!(
        !again.contains("409") && !again.contains("确认签到"),
        "{again}"
    );
    b.screenshot("18-checkin-again-phone.png");

    let _ = b.call("DELETE", "", None);
    let _ = std::fs::remove_dir_all(dir);
}

/// The seed documents in ../shared/seeds (not copied into the repository), when present.
fn seed(prefix: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seeds")
        .canonicalize()
        .ok()?;
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
}

/// The demo branch secretary's organisation: (id, name).
fn secretary_branch(db: &str, dir: &std::path::Path) -> (i64, String) {
    let vault = xianfeng_store::crypto::Vault::load(&dir.join("secret.key"))
        .unwrap()
        .expect("the demo's key");
    let store = xianfeng_store::Store::open(db, vault).unwrap();
    store
        .read(|c| -> xianfeng_store::Result<_> {
            let r = c.query_one(
                "SELECT o.id, o.name FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE a.username = 'branch_secretary'",
                &[],
            )?;
            Ok((r.i64(0)?, r.text(1)?))
        })
        .unwrap()
}

/// How many measures the reader found in the draft (the publishing step turns each into a task).
fn draft_measures(db: &str, dir: &std::path::Path, draft: i64) -> usize {
    let vault = xianfeng_store::crypto::Vault::load(&dir.join("secret.key"))
        .unwrap()
        .expect("the demo's key");
    let store = xianfeng_store::Store::open(db, vault).unwrap();
    store
        .read(|c| -> xianfeng_store::Result<usize> {
            let d = xianfeng_store::plans::drafts::get(c, draft)?.expect("the draft");
            Ok(d.plan["measures"].as_array().map_or(0, |m| m.len()))
        })
        .unwrap()
}

/// 计划落地 in the browser: the county imports seed 001, maps two units and publishes (again:
/// no second campaign); the town sees its 定性 tasks; the branch reports one done with a
/// photo; the town accepts it; the county's campaign page moves.
#[test]
fn a_published_plans_qualitative_task_is_reported_by_the_branch_and_accepted_by_the_town() {
    let Some(seed_001) = seed("001_") else {
        eprintln!("note: ../shared/seeds not found; plan-publishing browser test skipped");
        return;
    };
    let Some(env) = start("browser-plan") else {
        return;
    };
    let (dir, app, b) = (&env.dir, &env.app, &env.b);
    let login = |user: &str| {
        let signed_in = b.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return !!document.querySelector('form.who button[type=submit]')", "args": []})),
        );
        if signed_in == true {
            b.click("form.who button[type=submit]");
        } else {
            b.go(&format!("{app}/login"));
        }
        b.type_into("#username", user);
        b.type_into("#password", "xianfeng-demo");
        b.click("#login-submit");
    };
    let script = |js: &str, args: Value| {
        b.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": args})),
        )
    };

    // The county imports 001.
    login("county_admin");
    b.go(&format!("{app}/plans"));
    b.type_into("input[type=file]", seed_001.to_str().unwrap());
    b.click("form[action='/plans'] button[type=submit]");
    let url = b.url();
    let draft: i64 = url
        .rsplit('/')
        .next()
        .and_then(|x| x.split('?').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("draft page: {url}"));
    assert!(
        draft_measures(&env.db, dir, draft) >= 10,
        "the reader finds seed 001's measures"
    );
    b.go(&format!("{app}/plans/{draft}"));
    b.screenshot("18-plan-001-review-phone.png");

    // It maps two units: 相关行业主管部门 to 县卫健局, and (standing in for every level's party
    // organisations) 各级党组织 to the demo branch.
    let (branch_id, branch) = secretary_branch(&env.db, dir);
    for (unit, org) in [
        ("相关行业主管部门", "县卫健局机关党支部".to_string()),
        ("各级党组织", branch.clone()),
    ] {
        let picked = script(
            "const f = Array.from(document.querySelectorAll('form')).find(f => { const u = f.querySelector('input[name=unit]'); return u && u.value === arguments[0]; });
             if (!f) return 'no unit';
             const s = f.querySelector('select[name=org_id]');
             const o = Array.from(s.options).find(o => o.value && (arguments[2] ? o.value === arguments[2] : o.text.trim() === arguments[1]));
             if (!o) return 'no org';
             s.value = o.value; f.querySelector('button').id = 'map-go'; return o.text.trim();",
            json!([unit, org, if unit == "各级党组织" { branch_id.to_string() } else { String::new() }]),
        );
        assert!(
            picked.as_str().is_some_and(|t| t.contains(&org)),
            "{unit} → {org}: {picked}"
        );
        // The mapping form posts back to the same address: wait for the row to say so.
        b.tap("#map-go");
        let started = Instant::now();
        while script(
            "const u = Array.from(document.querySelectorAll('input[name=unit]')).find(u => u.value === arguments[0]);
             return !!u && u.closest('tr').innerText.includes('已指定') && !document.getElementById('map-go');",
            json!([unit]),
        ) != true
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{unit} not mapped"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let units = b.text("main");
    assert!(units.contains("已指定"), "{units}");

    // Publish (the confirmation answered yes), then publish again: the same campaign.
    script("window.confirm = () => true; return 0;", json!([]));
    b.click("#publish");
    assert!(b.url().contains("/campaigns/"), "{}", b.url());
    let campaign_url = b.url();
    let campaign = campaign_url.split('?').next().unwrap().to_string();
    let kinds = script(
        "return Array.from(document.querySelectorAll('#tasks tr[data-kind]')).map(r => r.dataset.kind).join(',')",
        json!([]),
    );
    assert!(
        kinds.as_str().unwrap_or("").contains("定性"),
        "task kinds: {kinds}"
    );
    b.screenshot("19-plan-001-campaign-county-phone.png");
    b.go(&format!("{app}/plans/{draft}"));
    assert!(b.text("#published").contains("已发布"));
    b.go(&format!("{app}/plans"));
    b.find(&format!(
        "a.published[href='{}']",
        campaign.trim_start_matches(app.as_str())
    ));
    b.go(&format!("{app}/plans/{draft}"));
    script("window.confirm = () => true; return 0;", json!([]));
    b.click("#update");
    assert!(b.text("p.ok").contains("活动已更新"), "{}", b.text("main"));
    assert!(b.url().starts_with(&campaign), "{} vs {campaign}", b.url());
    let before = b.text("#categories");

    // The town sees its 定性 tasks, among them the branch's.
    login("town_admin");
    b.go(&campaign);
    let standings = b.text("#standings");
    assert!(standings.contains(&branch), "{branch}: {standings}");
    b.screenshot("20-plan-001-campaign-town-phone.png");

    // The branch reports it done with a photo.
    login("branch_secretary");
    b.go(&campaign);
    b.click("#standings a[href^='/assignments/']");
    assert!(
        b.text("dd[data-kind]").contains("定性"),
        "{}",
        b.text("main")
    );
    let photo = dir.join("服务中心.png");
    std::fs::write(&photo, PNG).unwrap();
    b.type_into("#f-narrative", "召开支部党员大会专题学习，建立学习台账");
    b.type_into("#done-evidence", photo.to_str().unwrap());
    b.screenshot("21-report-done-phone.png");
    b.click("#done-submit");
    assert!(
        b.text("p.ok").contains("等待上级验收"),
        "{}",
        b.text("main")
    );
    let assignment = b.url().split('?').next().unwrap().to_string();

    // The town accepts it.
    login("town_admin");
    b.go(&campaign);
    b.click("#awaiting a");
    assert_eq!(b.url().split('?').next().unwrap(), assignment);
    b.screenshot("22-accept-phone.png");
    b.click("#accept-submit");
    assert!(b.text("p.ok").contains("已验收"), "{}", b.text("main"));
    assert!(b.text("#review").contains("已验收"));

    // The county's campaign page moves.
    login("county_admin");
    b.go(&campaign);
    let after = b.text("#categories");
    assert_ne!(before, after, "the county's figures move");
    b.screenshot("23-campaign-county-after-phone.png");

    let _ = b.call("DELETE", "", None);
    let _ = std::fs::remove_dir_all(dir);
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0D, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];
