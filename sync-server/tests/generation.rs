//! The store generation names one history of the operation stream: it survives every restart
//! (or every restart would look like a restore to tablets) and changes only when asked (a
//! restore or a rebuild). On SQLite, and on PostgreSQL when KOMORA_TEST_POSTGRES is set.

use std::future::Future;
use std::pin::Pin;

use komora_sync_server::db::postgres::PostgresDb;
use komora_sync_server::db::sqlite::SqliteDb;
use komora_sync_server::db::Db;

type Opened = Pin<Box<dyn Future<Output = Box<dyn Db>>>>;

async fn keeps_its_generation_until_a_new_one_is_made(open: &dyn Fn() -> Opened) {
    let first = open().await.generation().await.unwrap();
    assert_eq!(
        open().await.generation().await.unwrap(),
        first,
        "a restart keeps the generation"
    );
    let db = open().await;
    let fresh = db.new_generation().await.unwrap();
    assert_ne!(fresh, first);
    assert_eq!(db.generation().await.unwrap(), fresh);
    drop(db);
    assert_eq!(
        open().await.generation().await.unwrap(),
        fresh,
        "the new one is kept"
    );
}

#[tokio::test]
async fn an_sqlite_store_keeps_its_generation_across_restarts_until_a_new_one_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("komora-sync.db");
    let open = || -> Opened {
        let path = path.clone();
        Box::pin(async move { Box::new(SqliteDb::open(&path).unwrap()) as Box<dyn Db> })
    };
    keeps_its_generation_until_a_new_one_is_made(&open).await;
    // Two stores never share one.
    let other = SqliteDb::open(&dir.path().join("other.db")).unwrap();
    assert_ne!(
        other.generation().await.unwrap(),
        SqliteDb::open(&path).unwrap().generation().await.unwrap()
    );
}

#[tokio::test]
async fn a_postgres_store_keeps_its_generation_across_restarts_until_a_new_one_is_made() {
    let Ok(url) = std::env::var("KOMORA_TEST_POSTGRES") else {
        eprintln!("KOMORA_TEST_POSTGRES is not set: the PostgreSQL generation test is skipped");
        return;
    };
    let schema = format!("t_gen_{}", std::process::id());
    let open = || -> Opened {
        let (url, schema) = (url.clone(), schema.clone());
        Box::pin(async move {
            Box::new(PostgresDb::open(&url, Some(&schema), 2).await.unwrap()) as Box<dyn Db>
        })
    };
    keeps_its_generation_until_a_new_one_is_made(&open).await;
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}
