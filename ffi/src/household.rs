//! A client's relatives and household members: links between two clients, seen from both
//! sides.

use crate::convert;
use crate::error::Result;
use crate::vault::KomoraVault;

redacted_debug!(HouseholdLink);

/// A relative or household member of a client.
#[derive(uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HouseholdLink {
    pub client_id: String,
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
        client_id: String,
        other_id: String,
        relation: String,
    ) -> Result<()> {
        let client = convert::id(&client_id)?;
        let other = convert::id(&other_id)?;
        self.with(|v| Ok(v.link_clients(client, other, &relation)?))
    }

    /// Remove every link between two clients, from both sides.
    pub fn unlink_clients(&self, client_id: String, other_id: String) -> Result<()> {
        let client = convert::id(&client_id)?;
        let other = convert::id(&other_id)?;
        self.with(|v| Ok(v.unlink_clients(client, other)?))
    }

    /// The client's relatives and household members, with their names.
    pub fn household(&self, client_id: String) -> Result<Vec<HouseholdLink>> {
        let id = convert::id(&client_id)?;
        self.with(|v| {
            let links = v.household(id)?;
            links
                .into_iter()
                .map(|l| {
                    Ok(HouseholdLink {
                        name: v.client(l.client)?.name,
                        client_id: l.client.to_string(),
                        relation: l.relation,
                    })
                })
                .collect()
        })
    }
}
