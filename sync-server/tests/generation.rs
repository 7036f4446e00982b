//! The store generation names one history of the operation stream: it survives every restart
//! (or every restart would look like a restore to tablets) and changes only when asked (a
//! restore or a rebuild). On SQLite, and on PostgreSQL when KOMORA_TEST_POSTGRES is set.

use komora_sync_server::db::postgres::PostgresDb;
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::Db;

fn keeps_its_generation_until_a_new_one_is_made(open: &dyn Fn() -> Box<dyn Db>) {
    let first = open().generation().unwrap();
    assert_eq!(
        open().generation().unwrap(),
        first,
        "a restart keeps the generation"
    );
    let db = open();
    let fresh = db.new_generation().unwrap();
    assert_ne!(fresh, first);
    assert_eq!(db.generation().unwrap(), fresh);
    drop(db);
    assert_eq!(open().generation().unwrap(), fresh, "the new one is kept");
}

#[test]
fn an_sqlite_store_keeps_its_generation_across_restarts_until_a_new_one_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("komora-sync.db");
    keeps_its_generation_until_a_new_one_is_made(&|| Box::new(SqliteDb::open(&path).unwrap()));
    // Two stores never share one.
    let other = SqliteDb::open(&dir.path().join("other.db")).unwrap();
    assert_ne!(
        other.generation().unwrap(),
        SqliteDb::open(&path).unwrap().generation().unwrap()
    );
}

#[test]
fn a_postgres_store_keeps_its_generation_across_restarts_until_a_new_one_is_made() {
    let Ok(url) = std::env::var("KOMORA_TEST_POSTGRES") else {
        eprintln!("KOMORA_TEST_POSTGRES is not set: the PostgreSQL generation test is skipped");
        return;
    };
    let schema = format!("t_gen_{}", std::process::id());
    keeps_its_generation_until_a_new_one_is_made(&|| {
        Box::new(PostgresDb::open(&url, Some(&schema)).unwrap())
    });
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
