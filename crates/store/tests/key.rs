//! The personal-data key against the database, on both backends: a database with no personal
//! data accepts any key; one with personal data opens only with the key that wrote it (a backup
//! restored without its key file is caught before a new key is made).

use xianfeng_store::crypto;
use xianfeng_store::testing::{add_member, backends, org};
use xianfeng_store::Vault;

#[test]
fn only_the_key_that_wrote_the_personal_data_opens_it() {
    for s in backends() {
        let same = Vault::from_key([42; 32]);
        let other = Vault::from_key([7; 32]);
        assert_eq!(
            s.read(|c| crypto::opens(c, &other)).unwrap(),
            None,
            "{}: nothing to open yet",
            s.name
        );
        let made = std::path::Path::new("/srv/xianfeng/secret.key");
        assert!(s.read(|c| crypto::check_key(c, &other, Some(made))).is_ok());
        let branch = s
            .write(|c| -> xianfeng_store::Result<_> {
                let county = org(c, None, "测试县委", "县委");
                let town = org(c, Some(&county), "甲镇党委", "党委");
                Ok(org(c, Some(&town), "甲村党支部", "党支部"))
            })
            .unwrap();
        add_member(&s, &branch, 1, "正式党员");
        assert_eq!(
            s.read(|c| crypto::opens(c, &same)).unwrap(),
            Some(true),
            "{}",
            s.name
        );
        assert_eq!(
            s.read(|c| crypto::opens(c, &other)).unwrap(),
            Some(false),
            "{}",
            s.name
        );
        assert!(s.read(|c| crypto::check_key(c, &same, None)).is_ok());
        let wrong = s.read(|c| crypto::check_key(c, &other, None)).unwrap_err();
        assert!(wrong.to_string().contains("密钥与数据库不符"), "{wrong}");
        let made = std::path::Path::new("/srv/xianfeng/secret.key");
        let new = s
            .read(|c| crypto::check_key(c, &same, Some(made)))
            .unwrap_err();
        assert!(new.to_string().contains("找不到密钥文件"), "{new}");
    }
}
