//! The anonymous donor report (counts only; small numbers shown as `<5`).

use std::sync::Arc;

use komora_core as core;

use crate::convert;
use crate::error::Result;
use crate::task::Background;
use crate::vault::KomoraVault;

#[uniffi::export]
impl KomoraVault {
    /// The anonymous donor report as CSV (small numbers shown as `<5`).
    pub async fn report_csv(
        self: Arc<Self>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<String> {
        Background::spawn(move || {
            let opts = core::ReportOptions {
                from: convert::date("from", from.as_deref())?,
                to: convert::date("to", to.as_deref())?,
            };
            self.with(|v| Ok(v.report_csv(&opts)?))
        })
        .await
    }
}
