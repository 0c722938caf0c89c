//! `xianfeng`: the one binary. Parses arguments and wires the crates; no rules live here.

mod commands;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xianfeng", version, about = "先锋 · 基层党建工作平台")]
struct Cli {
    /// 数据库地址：sqlite://路径 或 postgres://用户@主机/库
    #[arg(
        long,
        global = true,
        env = "XIANFENG_DATABASE_URL",
        default_value = "sqlite://data/xianfeng.db"
    )]
    database_url: String,
    /// 个人信息加密密钥文件（不存在时自动生成）；也可用 XIANFENG_SECRET_KEY 直接给出64位十六进制密钥
    #[arg(long, global = true, env = "XIANFENG_KEY_FILE")]
    key_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 启动网站与 API
    Serve {
        #[arg(long, env = "XIANFENG_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// 通过 HTTPS 提供服务时设置（Cookie 加 Secure）
        #[arg(long)]
        secure_cookies: bool,
    },
    /// 生成（或复用）演示县数据并启动
    Demo {
        #[arg(long, env = "XIANFENG_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// 只准备数据，不启动服务
        #[arg(long)]
        no_serve: bool,
    },
    /// 执行数据库迁移
    Migrate,
    /// 新部署：在空数据库中建立顶层组织和第一个县级管理员账号
    /// （密码取自 XIANFENG_ADMIN_PASSWORD，未设置时从标准输入读一行）
    Init {
        /// 顶层组织名称，例如“某某县委”
        #[arg(long)]
        name: String,
        /// 管理员用户名
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// 向空数据库生成县级或省级规模数据
    Gen {
        #[arg(long, default_value = "county")]
        scale: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// 导入名册
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// 导出名册
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// 审计日志
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// 读取计划文件（实施意见、工作方案、通知）
    Plan {
        #[command(subcommand)]
        what: PlanWhat,
    },
    /// 在线备份 SQLite 数据库到文件
    Backup { file: std::path::PathBuf },
    /// 性能测试：维护的汇总与索引区间 对比 递归遍历
    Bench {
        #[arg(long, default_value = "county")]
        scale: String,
        /// 每项查询的运行次数
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// 活动指标的进展报送条数（首次生成时使用；省级全量为 100000000）
        #[arg(long, default_value_t = 1_000_000)]
        records: i64,
        /// 积分账本写入条数（首次生成时使用；其中2000条逐笔提交，其余每批 --batch 条提交）
        #[arg(long, default_value_t = 1_000_000)]
        points: usize,
        /// 积分批量写入时每个事务的条数
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// 从 .xlsx 导入党员（任一行有误则整表不导入）
    Members {
        file: std::path::PathBuf,
        /// 组织名称匹配范围（默认：整个组织树）
        #[arg(long)]
        org: Option<i64>,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// 导出某组织及其下级的党员名册 .xlsx
    Members {
        #[arg(long)]
        org: i64,
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum PlanWhat {
    /// 解析 .txt（UTF-8 / GB18030）或 .docx，输出提纲、目标、频次、阶段、标准和责任单位
    Parse {
        file: std::path::PathBuf,
        #[arg(long, default_value = "json")]
        format: String,
    },
    /// 解析计划文件并在组织下发布为活动（识别结果原样采用）：措施、目标成为任务，频次、
    /// 评价标准、名额成为规则；同一文件再次发布时回答 already_published，不重复创建
    Publish {
        file: std::path::PathBuf,
        /// 发布的组织编号
        #[arg(long)]
        org: i64,
        /// 活动年度（默认今年）
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, default_value = "json")]
        format: String,
    },
}

#[derive(Subcommand)]
enum AuditWhat {
    /// 校验哈希链；被改动或删除时以非零状态退出并指出第一条
    Verify,
}

fn main() {
    tracing_subscriber::fmt().with_target(false).init();
    let cli = Cli::parse();
    let ctx = commands::Ctx {
        database_url: cli.database_url,
        key_file: cli.key_file,
    };
    let result = match cli.command {
        Command::Serve {
            bind,
            secure_cookies,
        } => commands::serve(&ctx, &bind, secure_cookies),
        Command::Demo { bind, no_serve } => commands::demo(&ctx, &bind, no_serve),
        Command::Migrate => commands::migrate(&ctx),
        Command::Init { name, admin } => commands::init(&ctx, &name, &admin),
        Command::Gen { scale, seed } => commands::gen(&ctx, &scale, seed),
        Command::Import {
            what: ImportWhat::Members { file, org },
        } => commands::import_members(&ctx, &file, org),
        Command::Export {
            what: ExportWhat::Members { org, file },
        } => commands::export_members(&ctx, org, &file),
        Command::Audit {
            what: AuditWhat::Verify,
        } => commands::audit_verify(&ctx),
        Command::Plan {
            what: PlanWhat::Parse { file, format },
        } => commands::plan_parse(&file, &format),
        Command::Plan {
            what:
                PlanWhat::Publish {
                    file,
                    org,
                    year,
                    format,
                },
        } => commands::plan_publish(&ctx, &file, org, year, &format),
        Command::Backup { file } => commands::backup(&ctx, &file),
        Command::Bench {
            scale,
            runs,
            records,
            points,
            batch,
        } => commands::bench(&ctx, &scale, runs, records, (points, batch.max(1))),
    };
    if let Err(e) = result {
        eprintln!("错误：{e}");
        std::process::exit(1);
    }
}
