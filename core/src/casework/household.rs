//! Household and family links between clients. A link is written once, on the client who was
//! being edited, as `other-id:relation` in the add-wins set `links`; the other client shows
//! it from their side with the inverse relation (a parent's child is the child's parent).

use super::lists::{check, lists};
use super::StateExt;
use crate::client::KIND as CLIENT;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::store::{Edit, RecordEdit};
use crate::vault::Vault;

/// A relative or household member of a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub client: RecordId,
    /// What `client` is to the person asked about: spouse, parent, child, ...
    pub relation: String,
}

fn parse(value: &str) -> Option<(RecordId, &str)> {
    let (id, relation) = value.split_once(':')?;
    Some((id.parse().ok()?, relation))
}

fn inverse(relation: &str) -> String {
    lists()
        .relations
        .iter()
        .find(|r| r.id == relation)
        .and_then(|r| r.inverse.clone())
        .unwrap_or_else(|| relation.to_owned())
}

impl Vault {
    /// Record that `other` is `relation` of `client` (e.g. `other` is the `parent` of `client`).
    pub fn link_clients(
        &mut self,
        client: RecordId,
        other: RecordId,
        relation: &str,
    ) -> Result<()> {
        if client == other {
            return Err(Error::validation(
                "links",
                "a client cannot be linked to themself",
            ));
        }
        self.client(client)?;
        self.client(other)
            .map_err(|_| Error::validation("links", "record the other person as a client first"))?;
        let relation = check(&lists().relations, "relation", relation)?;
        // One transaction: the old links between the two go and the new one comes, or
        // nothing changes.
        let mut writes = self.unlink_edits(client, other)?;
        let new_link = Edit::Add("links", format!("{other}:{relation}").into());
        match writes.iter_mut().find(|w| w.record == client) {
            Some(w) => w.edits.push(new_link),
            None => writes.push(RecordEdit {
                record: client,
                kind: CLIENT,
                create: false,
                edits: vec![new_link],
            }),
        }
        self.store.write(writes)?;
        Ok(())
    }

    /// Remove every link between two clients, from both sides.
    pub fn unlink_clients(&mut self, client: RecordId, other: RecordId) -> Result<()> {
        let writes = self.unlink_edits(client, other)?;
        if !writes.is_empty() {
            self.store.write(writes)?;
        }
        Ok(())
    }

    /// The removals of every link between two clients, per client that has one.
    fn unlink_edits(&self, client: RecordId, other: RecordId) -> Result<Vec<RecordEdit>> {
        let mut out = Vec::new();
        for (from, to) in [(client, other), (other, client)] {
            let edits: Vec<Edit> = self
                .live_state(from, CLIENT)?
                .texts("links")
                .into_iter()
                .filter(|v| parse(v).is_some_and(|(id, _)| id == to))
                .map(|v| Edit::Remove("links", v.into()))
                .collect();
            if !edits.is_empty() {
                out.push(RecordEdit {
                    record: from,
                    kind: CLIENT,
                    create: false,
                    edits,
                });
            }
        }
        Ok(out)
    }

    /// A client's relatives and household members, from links written on either side.
    pub fn household(&self, client: RecordId) -> Result<Vec<Link>> {
        let me = self.live_state(client, CLIENT)?;
        let mut out: Vec<Link> = me
            .texts("links")
            .iter()
            .filter_map(|v| parse(v))
            .map(|(id, relation)| Link {
                client: id,
                relation: relation.to_owned(),
            })
            .collect();
        self.store.for_each_state(CLIENT, |id, s| {
            if id == client || s.deleted.is_some() {
                return;
            }
            for v in s.texts("links") {
                if let Some((to, relation)) = parse(&v) {
                    if to == client && !out.iter().any(|l| l.client == id) {
                        out.push(Link {
                            client: id,
                            relation: inverse(relation),
                        });
                    }
                }
            }
        })?;
        out.retain(|l| self.client(l.client).is_ok());
        out.sort_by(|a, b| (&a.relation, a.client).cmp(&(&b.relation, b.client)));
        Ok(out)
    }
}
