//! Framing of a sealed operation envelope, which the server reads without opening:
//! `version (1 byte, now 2: the sealed body carries its author's signature) | key epoch (4, big-endian) | op id (16) | nonce (12) | ciphertext | tag (16)`.

/// Current envelope format.
pub const VERSION: u8 = 2;
/// Bytes before the sealed part.
pub const HEADER_LEN: usize = 1 + 4 + 16;
/// Nonce and tag around the ciphertext.
pub const SEAL_OVERHEAD: usize = 12 + 16;
/// Largest accepted envelope.
pub const MAX_LEN: usize = 256 * 1024;

/// The clear header of an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub epoch: u32,
    pub op_id: [u8; 16],
}

/// Read an envelope's header, checking its framing and size; `None` if malformed.
pub fn header(bytes: &[u8]) -> Option<Header> {
    if bytes.len() < HEADER_LEN + SEAL_OVERHEAD || bytes.len() > MAX_LEN || bytes[0] != VERSION {
        return None;
    }
    let epoch = u32::from_be_bytes(bytes[1..5].try_into().ok()?);
    let op_id: [u8; 16] = bytes[5..HEADER_LEN].try_into().ok()?;
    Some(Header { epoch, op_id })
}

/// The op id an envelope claims, read by offset even when the rest is malformed (to name it
/// in a report of what was refused).
pub fn claimed_op_id(bytes: &[u8]) -> Option<[u8; 16]> {
    bytes.get(5..HEADER_LEN)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_malformed_envelopes_are_refused() {
        let mut ok = vec![VERSION, 0, 0, 0, 7];
        ok.extend_from_slice(&[9u8; 16]);
        ok.extend_from_slice(&[0u8; SEAL_OVERHEAD + 3]);
        assert_eq!(
            header(&ok),
            Some(Header {
                epoch: 7,
                op_id: [9u8; 16]
            })
        );
        assert_eq!(header(&ok[..HEADER_LEN + 10]), None);
        let mut other = ok.clone();
        other[0] = 1; // the format before operations were signed
        assert_eq!(header(&other), None);
        assert_eq!(header(&vec![VERSION; MAX_LEN + 1]), None);
    }
}
