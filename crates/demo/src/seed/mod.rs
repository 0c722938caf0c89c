//! Deterministic generated data: the demo county, and county/province-scale trees for
//! benchmarks. Rows are written in bulk (multi-row INSERT, one statement shape for both
//! backends), then the roll-ups are rebuilt once and one audit entry records the load.

pub mod awards;
pub mod brands;
pub mod campaign;
pub mod decisions;
pub mod grids;
pub mod life;
pub mod points;
pub mod supervision;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use xianfeng_domain::auth::{hash_password, Role};
use xianfeng_domain::idcard::Sex;
use xianfeng_domain::member::{Education, MemberStatus};
use xianfeng_domain::org::{OrgDomain, OrgKind};
use xianfeng_domain::{idcard, path, phone};

use xianfeng_store::db::{Conn, Dialect, Value};
use xianfeng_store::{
    audit, engines::rollup, now_text, people::accounts, Result, Store, StoreError,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One county: ~18 towns, ~800 organisations, ~25 000 members.
    County,
    /// A province: ~300 000 organisations, ~6 000 000 members.
    Province,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "county" => Some(Scale::County),
            "province" => Some(Scale::Province),
            _ => None,
        }
    }
}

const TOWNS: [&str; 18] = [
    "城关镇",
    "青石镇",
    "柳河镇",
    "桃源镇",
    "白沙镇",
    "龙泉镇",
    "新安街道",
    "东湖街道",
    "凤凰镇",
    "石桥镇",
    "清水镇",
    "双河镇",
    "金山镇",
    "长乐镇",
    "永丰镇",
    "河西街道",
    "南屏镇",
    "高峰镇",
];
const VILLAGE_PREFIX: [&str; 24] = [
    "红星", "向阳", "东风", "和平", "新华", "五里", "杨家", "李家", "张家", "高桥", "大坪", "小溪",
    "石门", "马鞍", "梨园", "枫林", "竹园", "荷塘", "柏树", "青龙", "黄岭", "花园", "金竹", "水口",
];
const COMMUNITY_PREFIX: [&str; 8] = [
    "人民路",
    "建设路",
    "滨江",
    "文化",
    "解放",
    "朝阳",
    "新城",
    "望江",
];
const COUNTIES: [&str; 12] = [
    "红旗", "青山", "临江", "安平", "永宁", "桂阳", "宁远", "宜章", "嘉禾", "汝城", "新田", "蓝山",
];
pub(crate) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
pub(crate) const MALE: [&str; 24] = [
    "建国", "志强", "伟", "磊", "勇", "军", "杰", "涛", "明", "超", "刚", "平", "国华", "建华",
    "德明", "文斌", "海涛", "小龙", "红军", "立新", "卫东", "永生", "光荣", "振华",
];
pub(crate) const FEMALE: [&str; 20] = [
    "秀英", "桂兰", "海燕", "丽", "芳", "娜", "敏", "静", "艳", "娟", "霞", "秀兰", "桂英", "玉梅",
    "春花", "红梅", "小燕", "丽华", "淑珍", "晓红",
];
const POSTS: [&str; 6] = [
    "党员先锋岗",
    "网格员",
    "村（居）委委员",
    "志愿服务岗",
    "政策宣传岗",
    "环境监督岗",
];

/// An organisation row about to be written.
struct OrgRow {
    id: i64,
    parent: Option<i64>,
    path: String,
    name: String,
    kind: OrgKind,
    domain: OrgDomain,
    committee: i64,
}

/// What a generation wrote, for the report and the benchmark.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub orgs: i64,
    pub members: i64,
    pub seconds: f64,
    pub county_id: i64,
    pub town_id: i64,
    pub branch_id: i64,
}

/// Buffers rows and writes them in multi-row INSERTs.
struct Bulk {
    orgs: Vec<OrgRow>,
    members: Vec<Vec<Value>>,
    tags: Vec<Vec<Value>>,
    written_orgs: i64,
    written_members: i64,
}

const MEMBER_COLS: [&str; 21] = [
    "id",
    "org_id",
    "root_id",
    "org_path",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_cipher",
    "id_hash",
    "id_masked",
    "phone_cipher",
    "phone_masked",
    "joined_on",
    "full_on",
    "status",
    "education",
    "post",
    "tags",
    "created_at",
    "updated_at",
];

/// When generated organisations were set up.
pub const FOUNDED: &str = "2016-01-01T00:00:00+08:00";

pub(crate) fn insert_rows(
    c: &mut dyn Conn,
    table: &str,
    cols: &[&str],
    rows: &[Vec<Value>],
) -> Result<()> {
    let per = (30000 / cols.len()).min(500);
    for chunk in rows.chunks(per) {
        let one = format!("({})", vec!["?"; cols.len()].join(","));
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            cols.join(","),
            vec![one; chunk.len()].join(",")
        );
        let params: Vec<Value> = chunk.iter().flat_map(|r| r.iter().cloned()).collect();
        c.execute(&sql, &params)?;
    }
    Ok(())
}

impl Bulk {
    fn new() -> Bulk {
        Bulk {
            orgs: Vec::new(),
            members: Vec::new(),
            tags: Vec::new(),
            written_orgs: 0,
            written_members: 0,
        }
    }

    fn flush(&mut self, store: &Store) -> Result<()> {
        // Generated organisations were set up years ago, so their history is not exempt.
        let now = FOUNDED.to_string();
        let orgs: Vec<Vec<Value>> = self
            .orgs
            .drain(..)
            .map(|o| {
                let root = path::ids(&o.path).first().copied().unwrap_or(o.id);
                vec![
                    o.id.into(),
                    o.parent.into(),
                    root.into(),
                    o.path.clone().into(),
                    path::depth(&o.path).into(),
                    o.name.into(),
                    o.kind.code().into(),
                    o.domain.code().into(),
                    o.committee.into(),
                    now.clone().into(),
                ]
            })
            .collect();
        let members = std::mem::take(&mut self.members);
        let tags = std::mem::take(&mut self.tags);
        store.write(|c| {
            insert_rows(
                c,
                "orgs",
                &[
                    "id",
                    "parent_id",
                    "root_id",
                    "path",
                    "depth",
                    "name",
                    "kind",
                    "domain",
                    "committee_size",
                    "created_at",
                ],
                &orgs,
            )?;
            insert_rows(c, "members", &MEMBER_COLS, &members)?;
            insert_rows(c, "member_tags", &["member_id", "tag", "org_path"], &tags)
        })?;
        self.written_orgs += orgs.len() as i64;
        self.written_members += members.len() as i64;
        Ok(())
    }
}

struct Gen<'a> {
    store: &'a Store,
    rng: StdRng,
    bulk: Bulk,
    next_org: i64,
    next_member: i64,
    today: NaiveDate,
    now: String,
}

impl Gen<'_> {
    fn org(
        &mut self,
        parent: Option<(&str, i64)>,
        name: String,
        kind: OrgKind,
        domain: OrgDomain,
        committee: i64,
    ) -> (i64, String) {
        let id = self.next_org;
        self.next_org += 1;
        let p = path::child(parent.map(|(p, _)| p), id);
        self.bulk.orgs.push(OrgRow {
            id,
            parent: parent.map(|(_, i)| i),
            path: p.clone(),
            name,
            kind,
            domain,
            committee,
        });
        (id, p)
    }

    fn person_name(&mut self, male: bool) -> String {
        let surnames: Vec<char> = SURNAMES.chars().collect();
        let s = surnames[self.rng.gen_range(0..surnames.len())];
        let g = if male {
            MALE[self.rng.gen_range(0..MALE.len())]
        } else {
            FEMALE[self.rng.gen_range(0..FEMALE.len())]
        };
        format!("{s}{g}")
    }

    /// One member of branch `(org_id, org_path)`; returns its id.
    fn member(&mut self, org_id: i64, org_path: &str) -> i64 {
        let id = self.next_member;
        self.next_member += 1;
        let male = self.rng.gen_bool(0.68);
        let name = self.person_name(male);
        let birth_year = self.rng.gen_range(1938..=2003);
        let birth = NaiveDate::from_ymd_opt(
            birth_year,
            self.rng.gen_range(1..=12),
            self.rng.gen_range(1..=28),
        )
        .unwrap_or(self.today);
        let region = 430000 + (id / 500) % 99_999;
        let seq = ((id % 500) * 2 + i64::from(male)) as u32;
        let id_number = idcard::build(region as u32, birth, seq);
        let phone_number = format!(
            "1{}{:09}",
            [3, 5, 7, 8, 9][(id % 5) as usize],
            (id * 7919) % 1_000_000_000
        );
        let earliest_join = birth.year() + 18;
        let join_year = self
            .rng
            .gen_range(earliest_join.min(2025)..=2025.max(earliest_join));
        let mut joined = NaiveDate::from_ymd_opt(
            join_year,
            self.rng.gen_range(1..=12),
            self.rng.gen_range(1..=28),
        )
        .unwrap_or(self.today);
        if xianfeng_domain::date::age_on(birth, joined) < 18 {
            // Joining is allowed from the 18th birthday on (birth days are 1–28, so this exists).
            joined = NaiveDate::from_ymd_opt(birth.year() + 18, birth.month(), birth.day())
                .unwrap_or(joined);
        }
        let joined = joined.min(self.today);
        let probationary = joined > self.today - chrono::Days::new(365)
            || self.rng.gen_bool(0.03) && joined.year() >= 2025;
        let full_on = if probationary {
            None
        } else {
            joined
                .checked_add_days(chrono::Days::new(365))
                .filter(|d| *d <= self.today)
        };
        let status = if full_on.is_some() {
            MemberStatus::Full
        } else {
            MemberStatus::Probationary
        }
        .code();
        let mut tags = Vec::new();
        if xianfeng_domain::date::age_on(birth, self.today) >= 70 {
            tags.push("老党员");
        }
        if self.rng.gen_bool(0.05) {
            tags.push("流动党员");
        }
        if self.rng.gen_bool(0.03) {
            tags.push("困难党员");
        }
        let post = if self.rng.gen_bool(0.35) {
            POSTS[self.rng.gen_range(0..POSTS.len())]
        } else {
            ""
        };
        if post.is_empty() {
            tags.push("无职党员");
        }
        let education = Education::ALL[(self.rng.gen_range(0..100) * Education::ALL.len() / 100)
            .min(Education::ALL.len() - 1)]
        .code();
        let vault = &self.store.vault;
        for t in &tags {
            self.bulk
                .tags
                .push(vec![id.into(), (*t).into(), org_path.into()]);
        }
        let root = path::ids(org_path).first().copied().unwrap_or(org_id);
        self.bulk.members.push(vec![
            id.into(),
            org_id.into(),
            root.into(),
            org_path.into(),
            name.into(),
            if male { Sex::Male } else { Sex::Female }.code().into(),
            if self.rng.gen_bool(0.93) {
                "汉族"
            } else {
                ["苗族", "瑶族", "土家族", "侗族", "回族"][self.rng.gen_range(0..5)]
            }
            .into(),
            birth.to_string().into(),
            vault.encrypt(&id_number).into(),
            vault.blind_index(&id_number).into(),
            idcard::mask(&id_number).into(),
            vault.encrypt(&phone_number).into(),
            phone::mask(&phone_number).into(),
            joined.to_string().into(),
            full_on.map(|d| d.to_string()).into(),
            status.into(),
            education.into(),
            post.into(),
            if tags.is_empty() {
                String::new()
            } else {
                format!("|{}|", tags.join("|"))
            }
            .into(),
            self.now.clone().into(),
            self.now.clone().into(),
        ]);
        id
    }

    fn maybe_flush(&mut self) -> Result<()> {
        if self.bulk.members.len() >= 20_000 || self.bulk.orgs.len() >= 20_000 {
            self.bulk.flush(self.store)?;
        }
        Ok(())
    }

    /// A branch with `n` members (and groups when large); returns its id.
    fn branch(
        &mut self,
        parent: (&str, i64),
        name: String,
        domain: OrgDomain,
        size: std::ops::RangeInclusive<usize>,
        with_committee: bool,
    ) -> Result<i64> {
        let n = self.rng.gen_range(size);
        let committee = if n >= 7 && with_committee {
            [3, 5, 5, 7][self.rng.gen_range(0..4)]
        } else {
            0
        };
        let (id, p) = self.org(Some(parent), name, OrgKind::Branch, domain, committee);
        if n >= 45 {
            for g in ["第一党小组", "第二党小组"] {
                self.org(Some((&p, id)), g.to_string(), OrgKind::Group, domain, 0);
            }
        }
        for _ in 0..n {
            self.member(id, &p);
        }
        self.maybe_flush()?;
        Ok(id)
    }

    /// A town with its villages/communities (large villages as a 党总支 of three branches),
    /// its office, enterprises, school, clinic and an industrial-park general branch.
    fn town(&mut self, county: (&str, i64), name: &str) -> Result<(i64, i64)> {
        let street = name.ends_with("街道");
        let kind = if street {
            OrgKind::WorkCommittee
        } else {
            OrgKind::Committee
        };
        let (tid, tp) = self.org(
            Some(county),
            format!("{name}{}", kind.label()),
            kind,
            OrgDomain::Government,
            0,
        );
        let short = name.trim_end_matches("街道").trim_end_matches('镇');
        let villages = self.rng.gen_range(16..=22);
        let mut first_branch = 0;
        for v in 0..villages {
            let (place, domain) = if street {
                (
                    format!("{}社区", VILLAGE_PREFIX[v % VILLAGE_PREFIX.len()]),
                    OrgDomain::Community,
                )
            } else if v % 6 == 5 {
                (
                    format!("{}社区", COMMUNITY_PREFIX[v % COMMUNITY_PREFIX.len()]),
                    OrgDomain::Community,
                )
            } else {
                (
                    format!("{}村", VILLAGE_PREFIX[v % VILLAGE_PREFIX.len()]),
                    OrgDomain::Rural,
                )
            };
            // A few deliberately outside the rules, so the warning lists have content.
            let roll = self.rng.gen_range(0..100);
            let id = match roll {
                0..=2 => self.branch((&tp, tid), format!("{place}党支部"), domain, 2..=2, false)?,
                3..=5 => {
                    self.branch((&tp, tid), format!("{place}党支部"), domain, 52..=70, true)?
                }
                6..=7 => {
                    self.branch((&tp, tid), format!("{place}党支部"), domain, 8..=20, false)?
                }
                8..=30 => {
                    let (gid, gp) = self.org(
                        Some((&tp, tid)),
                        format!("{place}党总支"),
                        OrgKind::GeneralBranch,
                        domain,
                        5,
                    );
                    let mut first = 0;
                    for b in 0..3 {
                        let id = self.branch(
                            (&gp, gid),
                            format!("{place}第{}党支部", ["一", "二", "三"][b]),
                            domain,
                            26..=33,
                            true,
                        )?;
                        if b == 0 {
                            first = id;
                        }
                    }
                    first
                }
                _ => self.branch((&tp, tid), format!("{place}党支部"), domain, 34..=50, true)?,
            };
            if v == 0 {
                first_branch = id;
            }
        }
        self.branch(
            (&tp, tid),
            format!("{name}机关党支部"),
            OrgDomain::Government,
            15..=40,
            true,
        )?;
        for label in ["农业发展有限公司", "建材有限责任公司", "电商产业园"] {
            self.branch(
                (&tp, tid),
                format!("{short}{label}党支部"),
                OrgDomain::NewOrganisation,
                4..=15,
                true,
            )?;
        }
        self.branch(
            (&tp, tid),
            format!("{short}中心学校党支部"),
            OrgDomain::School,
            8..=30,
            true,
        )?;
        self.branch(
            (&tp, tid),
            format!("{short}卫生院党支部"),
            OrgDomain::Hospital,
            6..=25,
            true,
        )?;
        Ok((tid, first_branch))
    }
}

/// Writes a generated tree into an empty database.
pub fn generate(store: &Store, scale: Scale, seed: u64) -> Result<Generated> {
    let existing = store.read(|c| c.scalar("SELECT COUNT(*) FROM orgs", &[]))?;
    if existing > 0 {
        return Err(StoreError::Conflict(format!(
            "数据库中已有{existing}个组织；生成数据需要空数据库（可换一个数据库地址）"
        )));
    }
    let started = std::time::Instant::now();
    let mut g = Gen {
        store,
        rng: StdRng::seed_from_u64(seed),
        bulk: Bulk::new(),
        next_org: 1,
        next_member: 1,
        today: xianfeng_domain::date::today(),
        now: now_text(),
    };
    let mut out = Generated::default();
    match scale {
        Scale::County => {
            let (cid, cp) = g.org(
                None,
                "红旗县委".into(),
                OrgKind::County,
                OrgDomain::Government,
                0,
            );
            out.county_id = cid;
            for (i, t) in TOWNS.iter().enumerate() {
                let (tid, bid) = g.town((&cp, cid), t)?;
                if i == 0 {
                    out.town_id = tid;
                    out.branch_id = bid;
                }
            }
            // County departments, each a 机关党支部 under the county: among them every unit
            // seed 001 (the 立行先锋 通知) names as responsible, so its measures resolve to
            // organisations of the tree ("县委组织部" → 县委组织部机关党支部).
            for dept in [
                "县委办公室",
                "县委组织部",
                "县委宣传部",
                "县纪委监委",
                "县民政局",
                "县农业农村局",
                "县教育局",
                "县卫健局",
                "县直机关工委",
                "县委教育工委",
                "县委两新工委",
                "县委政法委",
                "县总工会",
                "县妇联",
                "团县委",
                "县文联",
                "县科工贸局",
            ] {
                g.branch(
                    (&cp, cid),
                    format!("{dept}机关党支部"),
                    OrgDomain::Government,
                    12..=40,
                    true,
                )?;
            }
        }
        Scale::Province => {
            let (pid, pp) = g.org(
                None,
                "示范省委".into(),
                OrgKind::Committee,
                OrgDomain::Government,
                0,
            );
            out.county_id = pid;
            // 18 cities × 18 counties × 18 towns ≈ 5 800 towns ≈ 290 000 organisations, 6 million members.
            for city in 0..18 {
                let (cityid, citypath) = g.org(
                    Some((&pp, pid)),
                    format!("第{}市委", city + 1),
                    OrgKind::Committee,
                    OrgDomain::Government,
                    0,
                );
                for county in 0..18 {
                    let (kid, kp) = g.org(
                        Some((&citypath, cityid)),
                        format!(
                            "{}县委（{}市）",
                            COUNTIES[county % COUNTIES.len()],
                            city + 1
                        ),
                        OrgKind::Committee,
                        OrgDomain::Government,
                        0,
                    );
                    for (i, t) in TOWNS.iter().enumerate() {
                        let (tid, bid) = g.town((&kp, kid), t)?;
                        if city == 0 && county == 0 && i == 0 {
                            out.town_id = tid;
                            out.branch_id = bid;
                        }
                    }
                }
                eprintln!(
                    "  第{}市完成：{}个组织，{}名党员",
                    city + 1,
                    g.next_org - 1,
                    g.next_member - 1
                );
            }
        }
    }
    g.bulk.flush(store)?;
    out.orgs = g.bulk.written_orgs;
    out.members = g.bulk.written_members;
    store.write(|c| -> xianfeng_store::Result<_> {
        if c.dialect() == Dialect::Postgres {
            for t in ["orgs", "members"] {
                c.query(&format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"), &[])?;
            }
        }
        rollup::rebuild(c)?;
        audit::append(
            c,
            audit::Record {
                actor: None,
                org_id: Some(out.county_id),
                action: "data.generate",
                entity: "org",
                entity_id: Some(out.county_id),
                before: json!(null),
                after: json!({"orgs": out.orgs, "members": out.members, "seed": seed}),
            },
        )?;
        Ok(())
    })?;
    store.write(|c| c.execute("ANALYZE", &[]).map(|_| ()))?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

pub const DEMO_PASSWORD: &str = "xianfeng-demo";

/// The demo accounts, one per role.
pub fn demo_accounts(store: &Store, g: &Generated) -> Result<Vec<(String, String, String)>> {
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| StoreError::Db(e.to_string()))?;
    store.write(|c| {
        let member = c.query_one(
            "SELECT id, name FROM members WHERE org_id = ? AND status = 'full' ORDER BY id LIMIT 1",
            &[g.branch_id.into()],
        )?;
        let secretary = c
            .query_one(
                "SELECT name FROM members WHERE org_id = ? ORDER BY id LIMIT 1 OFFSET 1",
                &[g.branch_id.into()],
            )?
            .text(0)?;
        let branch_name = c
            .query_one("SELECT name FROM orgs WHERE id = ?", &[g.branch_id.into()])?
            .text(0)?;
        let town_name = c
            .query_one("SELECT name FROM orgs WHERE id = ?", &[g.town_id.into()])?
            .text(0)?;
        let rows = [
            (
                "county_admin",
                "县委组织部".to_string(),
                Role::CountyAdmin,
                g.county_id,
                None,
            ),
            (
                "town_admin",
                format!("{town_name}党建办"),
                Role::TownAdmin,
                g.town_id,
                None,
            ),
            (
                "branch_secretary",
                format!("{secretary}（{branch_name}书记）"),
                Role::BranchSecretary,
                g.branch_id,
                None,
            ),
            (
                "member",
                member.text(1)?,
                Role::Member,
                g.branch_id,
                Some(member.i64(0)?),
            ),
        ];
        let mut out = Vec::new();
        for (username, display, role, org, member_id) in rows {
            accounts::create(
                c,
                &accounts::NewAccount {
                    username,
                    display_name: &display,
                    password_hash: &hash,
                    role,
                    org_id: org,
                    member_id,
                },
            )?;
            out.push((username.to_string(), display, role.label().to_string()));
        }
        Ok(out)
    })
}

/// Whether the database already holds data (so `demo` reuses it).
pub fn is_empty(store: &Store) -> Result<bool> {
    Ok(store.read(|c| c.scalar("SELECT COUNT(*) FROM orgs", &[]))? == 0)
}

/// The demo logins already present.
pub fn existing_accounts(store: &Store) -> Result<Vec<(String, String, String)>> {
    store.read(|c| {
        c.query(
            "SELECT username, display_name, role FROM accounts ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok((
                r.text(0)?,
                r.text(1)?,
                Role::from_code(&r.text(2)?)
                    .map(|x| x.label().to_string())
                    .unwrap_or_default(),
            ))
        })
        .collect::<Result<_>>()
    })
}
