//! A client's relatives and household members: links between two clients, seen from both
//! sides.

use komora_core::RecordId;

use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(HouseholdLink);

/// A relative or household member of a client.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HouseholdLink {
    pub client_id: RecordId,
    /// The linked client's name.
    pub name: String,
    /// What the linked client is to the client asked about: spouse, parent, child, ...
    pub relation: String,
}

#[uniffi::export]
impl KomoraVault {
    /// Record that `other_id` is `relation` of `client_id` (spouse, parent, child, ...); the
    /// other client sees the inverse. Replaces any earlier link between the two.
    pub fn link_clients(
        &self,
        client_id: RecordId,
        other_id: RecordId,
        relation: String,
    ) -> Result<()> {
        self.with(|v| Ok(v.link_clients(client_id, other_id, &relation)?))
    }

    /// Remove every link between two clients, from both sides.
    pub fn unlink_clients(&self, client_id: RecordId, other_id: RecordId) -> Result<()> {
        self.with(|v| Ok(v.unlink_clients(client_id, other_id)?))
    }

    /// The client's relatives and household members, with their names.
    pub fn household(&self, client_id: RecordId) -> Result<Vec<HouseholdLink>> {
        self.with(|v| {
            let links = v.household(client_id)?;
            links
                .into_iter()
                .map(|l| {
                    Ok(HouseholdLink {
                        name: v.client(l.client)?.name,
                        client_id: l.client,
                        relation: l.relation,
                    })
                })
                .collect()
        })
    }
}
