//! The secure channel's cryptography: session key derivation, the two cryptograms, the
//! initial R-MAC, the chained MAC and the data encryption, all AES-128.
//!
//! ```text
//! S-ENC  = AES(SCBK, 01 82 RND.A[0..6] 00…)      client cryptogram = AES(S-ENC, RND.A ‖ RND.B)
//! S-MAC1 = AES(SCBK, 01 01 RND.A[0..6] 00…)      server cryptogram = AES(S-ENC, RND.B ‖ RND.A)
//! S-MAC2 = AES(SCBK, 01 02 RND.A[0..6] 00…)      R-MAC-I = AES(S-MAC2, AES(S-MAC1, server cryptogram))
//! MAC    = AES-CBC-MAC over the message padded with 80 00… (when not block-aligned),
//!          IV = the last MAC received, S-MAC1 for every block but the last, S-MAC2 for it
//! data   = AES-CBC(S-ENC, IV = ¬ last MAC received) over data ‖ 80 00… (always padded)
//! ```
//!
//! Owns [`SessionKeys`] (the expanded keys of one session) and those functions. It
//! keeps no chain state (see `session`), never compares secrets (callers use
//! [`constant_time_eq`](super::constant_time_eq)) and never prints a key.

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::Aes128;

use super::error::SecureError;
use super::key::Scbk;

/// One AES block.
pub(crate) type Block = [u8; 16];

/// The end-of-message marker that starts every padding.
const MARKER: u8 = 0x80;

/// The AES-128 cipher keyed with `key`.
fn cipher(key: &Block) -> Aes128 {
    Aes128::new(&Array::from(*key))
}

/// `block` encrypted under `cipher`.
fn encrypt(cipher: &Aes128, block: &Block) -> Block {
    let mut array = Array::from(*block);
    cipher.encrypt_block(&mut array);
    array.into()
}

/// `block` decrypted under `cipher`.
fn decrypt(cipher: &Aes128, block: &Block) -> Block {
    let mut array = Array::from(*block);
    cipher.decrypt_block(&mut array);
    array.into()
}

fn xor(a: &Block, b: &Block) -> Block {
    let mut out = *a;
    out.iter_mut().zip(b).for_each(|(x, y)| *x ^= y);
    out
}

fn complement(block: &Block) -> Block {
    block.map(|byte| !byte)
}

/// Two 8-byte halves as one block.
fn concat(first: &[u8; 8], second: &[u8; 8]) -> Block {
    let mut block = [0; 16];
    let (left, right) = block.split_at_mut(8);
    left.copy_from_slice(first);
    right.copy_from_slice(second);
    block
}

/// The raw session keys S-ENC, S-MAC1 and S-MAC2 derived from `scbk` and the CP's
/// random number: each is the SCBK encryption of a block holding a two-byte label and
/// the first six bytes of RND.A.
pub(crate) fn derive_raw(scbk: &Scbk, cp_random: &[u8; 8]) -> [Block; 3] {
    let base = cipher(scbk.expose());
    [[0x01, 0x82], [0x01, 0x01], [0x01, 0x02]].map(|label| {
        let mut block = [0; 16];
        let (head, tail) = block.split_at_mut(2);
        head.copy_from_slice(&label);
        tail.iter_mut()
            .zip(cp_random.iter().take(6))
            .for_each(|(slot, byte)| *slot = *byte);
        encrypt(&base, &block)
    })
}

/// The expanded keys of one session.
pub(crate) struct SessionKeys {
    enc: Aes128,
    mac1: Aes128,
    mac2: Aes128,
}

impl std::fmt::Debug for SessionKeys {
    /// Never shows the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(<redacted>)")
    }
}

impl SessionKeys {
    /// The keys of the session `cp_random` opens under `scbk`.
    pub(crate) fn derive(scbk: &Scbk, cp_random: &[u8; 8]) -> Self {
        let [enc, mac1, mac2] = derive_raw(scbk, cp_random);
        Self {
            enc: cipher(&enc),
            mac1: cipher(&mac1),
            mac2: cipher(&mac2),
        }
    }

    /// The client (PD) cryptogram: RND.A ‖ RND.B under S-ENC.
    pub(crate) fn client_cryptogram(&self, cp_random: &[u8; 8], pd_random: &[u8; 8]) -> Block {
        encrypt(&self.enc, &concat(cp_random, pd_random))
    }

    /// The server (CP) cryptogram: RND.B ‖ RND.A under S-ENC.
    pub(crate) fn server_cryptogram(&self, cp_random: &[u8; 8], pd_random: &[u8; 8]) -> Block {
        encrypt(&self.enc, &concat(pd_random, cp_random))
    }

    /// The initial R-MAC: the server cryptogram under S-MAC1, then S-MAC2.
    pub(crate) fn initial_rmac(&self, server_cryptogram: &Block) -> Block {
        encrypt(&self.mac2, &encrypt(&self.mac1, server_cryptogram))
    }

    /// The MAC of `message`, chained from `iv` (the last MAC received).
    pub(crate) fn mac(&self, iv: &Block, message: &[u8]) -> Block {
        let blocks = mac_blocks(message);
        let Some((last, rest)) = blocks.split_last() else {
            return *iv;
        };
        let chained = rest
            .iter()
            .fold(*iv, |chain, block| encrypt(&self.mac1, &xor(&chain, block)));
        encrypt(&self.mac2, &xor(&chained, last))
    }

    /// `data` padded and encrypted, chained from `last_mac` (IV = its complement).
    pub(crate) fn encrypt_data(&self, last_mac: &Block, data: &[u8]) -> Vec<u8> {
        let mut padded = data.to_vec();
        padded.push(MARKER);
        padded.resize(padded.len().div_ceil(16) * 16, 0);
        let mut chain = complement(last_mac);
        let mut out = Vec::with_capacity(padded.len());
        for chunk in padded.chunks_exact(16) {
            let block: Block = chunk.try_into().unwrap_or_default();
            chain = encrypt(&self.enc, &xor(&chain, &block));
            out.extend_from_slice(&chain);
        }
        out
    }

    /// `data` decrypted and unpadded, chained from `last_mac`.
    pub(crate) fn decrypt_data(
        &self,
        last_mac: &Block,
        data: &[u8],
    ) -> Result<Vec<u8>, SecureError> {
        if !data.chunks_exact(16).remainder().is_empty() {
            return Err(SecureError::BadBlockLength { len: data.len() });
        }
        let mut chain = complement(last_mac);
        let mut plain = Vec::with_capacity(data.len());
        for chunk in data.chunks_exact(16) {
            let block: Block = chunk.try_into().unwrap_or_default();
            plain.extend_from_slice(&xor(&chain, &decrypt(&self.enc, &block)));
            chain = block;
        }
        unpad(plain)
    }
}

/// `message` cut into blocks for the MAC, the last padded with `80 00…` unless the
/// message fills it (an empty message is one padding block).
fn mac_blocks(message: &[u8]) -> Vec<Block> {
    let mut blocks: Vec<Block> = message
        .chunks(16)
        .map(|chunk| {
            let mut block = [0; 16];
            block
                .iter_mut()
                .zip(chunk)
                .for_each(|(slot, byte)| *slot = *byte);
            if let Some(slot) = block.get_mut(chunk.len()) {
                *slot = MARKER;
            }
            block
        })
        .collect();
    if blocks.is_empty() {
        let mut block = [0; 16];
        block[0] = MARKER;
        blocks.push(block);
    }
    blocks
}

/// `plain` without its padding: trailing zeros, then the marker, which must lie in the
/// last block.
fn unpad(mut plain: Vec<u8>) -> Result<Vec<u8>, SecureError> {
    let floor = plain.len().saturating_sub(16);
    while plain.len() > floor {
        match plain.pop() {
            Some(0) => continue,
            Some(MARKER) => return Ok(plain),
            _ => return Err(SecureError::BadPadding),
        }
    }
    Err(SecureError::BadPadding)
}

#[cfg(test)]
mod tests {
    use super::*;

    // SIA OSDP 2.2 Annex E secure channel example, as quoted in libosdp
    // `tests/unit-tests/test-sc-sia-vectors.c`: SCBK-D, RND.A = B0…B7, RND.B = A0…A7.
    const CP_RANDOM: [u8; 8] = [0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7];
    const PD_RANDOM: [u8; 8] = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7];
    const S_ENC: Block = [
        0xBF, 0x8D, 0xC2, 0xA8, 0x32, 0x9A, 0xCB, 0x8C, 0x67, 0xC6, 0xD0, 0xCD, 0x9A, 0x45, 0x16,
        0x82,
    ];
    const S_MAC1: Block = [
        0x5E, 0x86, 0xC6, 0x76, 0x60, 0x3B, 0xDE, 0xE2, 0xD8, 0xBE, 0xAF, 0xE1, 0x78, 0x63, 0x73,
        0x32,
    ];
    const S_MAC2: Block = [
        0x6F, 0xDA, 0x86, 0xE8, 0x57, 0x77, 0x7E, 0x81, 0x13, 0x20, 0x35, 0x75, 0x82, 0x39, 0x17,
        0x2E,
    ];
    const SERVER_CRYPTOGRAM: Block = [
        0x26, 0xD3, 0x35, 0x6E, 0x07, 0x76, 0x2D, 0x26, 0x28, 0x01, 0xFC, 0x8E, 0x66, 0x65, 0xA8,
        0x91,
    ];
    const CLIENT_CRYPTOGRAM: Block = [
        0xFD, 0xE5, 0xD2, 0xF4, 0x28, 0xEC, 0x16, 0x31, 0x24, 0x71, 0xEA, 0x3C, 0x02, 0xBD, 0x77,
        0x96,
    ];
    const RMAC_I: Block = [
        0xB2, 0xA3, 0x00, 0x57, 0xEB, 0x98, 0xBA, 0x22, 0x29, 0xEC, 0x1F, 0x87, 0x56, 0x62, 0xB5,
        0x24,
    ];

    #[test]
    fn annex_e_session_keys() {
        assert_eq!(
            derive_raw(&Scbk::DEFAULT, &CP_RANDOM),
            [S_ENC, S_MAC1, S_MAC2]
        );
    }

    #[test]
    fn annex_e_cryptograms_and_rmac_i() {
        let keys = SessionKeys::derive(&Scbk::DEFAULT, &CP_RANDOM);
        assert_eq!(
            keys.client_cryptogram(&CP_RANDOM, &PD_RANDOM),
            CLIENT_CRYPTOGRAM
        );
        assert_eq!(
            keys.server_cryptogram(&CP_RANDOM, &PD_RANDOM),
            SERVER_CRYPTOGRAM
        );
        assert_eq!(keys.initial_rmac(&SERVER_CRYPTOGRAM), RMAC_I);
    }

    // NIST SP 800-38A, F.2.1 (CBC-AES128.Encrypt).
    const NIST_KEY: Block = [
        0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f,
        0x3c,
    ];
    const NIST_IV: Block = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
        0x0f,
    ];
    const NIST_PLAIN: [u8; 64] = [
        0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17,
        0x2a, 0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf,
        0x8e, 0x51, 0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11, 0xe5, 0xfb, 0xc1, 0x19, 0x1a,
        0x0a, 0x52, 0xef, 0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17, 0xad, 0x2b, 0x41, 0x7b,
        0xe6, 0x6c, 0x37, 0x10,
    ];
    const NIST_CIPHER: [u8; 64] = [
        0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46, 0xce, 0xe9, 0x8e, 0x9b, 0x12, 0xe9, 0x19,
        0x7d, 0x50, 0x86, 0xcb, 0x9b, 0x50, 0x72, 0x19, 0xee, 0x95, 0xdb, 0x11, 0x3a, 0x91, 0x76,
        0x78, 0xb2, 0x73, 0xbe, 0xd6, 0xb8, 0xe3, 0xc1, 0x74, 0x3b, 0x71, 0x16, 0xe6, 0x9e, 0x22,
        0x22, 0x95, 0x16, 0x3f, 0xf1, 0xca, 0xa1, 0x68, 0x1f, 0xac, 0x09, 0x12, 0x0e, 0xca, 0x30,
        0x75, 0x86, 0xe1, 0xa7,
    ];

    fn nist_keys() -> SessionKeys {
        SessionKeys {
            enc: cipher(&NIST_KEY),
            mac1: cipher(&NIST_KEY),
            mac2: cipher(&NIST_KEY),
        }
    }

    /// With S-MAC1 = S-MAC2, the chained MAC of block-aligned data is the last block of
    /// plain AES-CBC: NIST SP 800-38A F.2.1 (the check libosdp's `test-sc.c` makes).
    #[test]
    fn mac_is_cbc_mac_on_aligned_data() {
        let keys = nist_keys();
        assert_eq!(keys.mac(&NIST_IV, &NIST_PLAIN[..16]), NIST_CIPHER[..16]);
        assert_eq!(keys.mac(&NIST_IV, &NIST_PLAIN), NIST_CIPHER[48..]);
    }

    /// Data encryption is AES-CBC with IV = ¬last MAC over data ‖ 80 00…; checked
    /// against NIST F.2.1 by encrypting a first block that, once padded, is NIST's.
    #[test]
    fn data_encryption_is_cbc_with_complemented_iv() {
        let keys = nist_keys();
        let last_mac = complement(&NIST_IV);
        // 64 plaintext bytes gain a whole padding block; the first 64 bytes are NIST's.
        let sealed = keys.encrypt_data(&last_mac, &NIST_PLAIN);
        assert_eq!(sealed.len(), 80);
        assert_eq!(sealed[..64], NIST_CIPHER);
        assert_eq!(keys.decrypt_data(&last_mac, &sealed).unwrap(), NIST_PLAIN);
    }

    /// libosdp `tests/unit-tests/test-sc.c`: 15 bytes 00…0E padded to one block, and the
    /// empty payload, under the NIST key and IV.
    #[test]
    fn libosdp_padding_vectors() {
        let keys = nist_keys();
        let last_mac = complement(&NIST_IV);
        let fifteen: Vec<u8> = (0..15).collect();
        let expected_15 = [
            0xc5, 0x31, 0x1f, 0x3d, 0x23, 0xd0, 0x86, 0xea, 0x86, 0xf5, 0xee, 0x7f, 0x85, 0x24,
            0x7b, 0x40,
        ];
        assert_eq!(keys.encrypt_data(&last_mac, &fifteen), expected_15);
        let expected_0 = [
            0x4c, 0x08, 0x22, 0x0c, 0x79, 0xd9, 0x19, 0x10, 0x22, 0xdc, 0x66, 0x74, 0x87, 0x4c,
            0xea, 0xf8,
        ];
        assert_eq!(keys.encrypt_data(&last_mac, &[]), expected_0);
        // The MAC pads a partial block the same way.
        assert_eq!(keys.mac(&NIST_IV, &fifteen), expected_15);
    }

    #[test]
    fn decryption_refuses_bad_lengths_and_padding() {
        let keys = nist_keys();
        assert_eq!(
            keys.decrypt_data(&NIST_IV, &[0; 15]),
            Err(SecureError::BadBlockLength { len: 15 })
        );
        // NIST's first ciphertext block decrypts to NIST's plaintext: no marker.
        assert_eq!(
            keys.decrypt_data(&complement(&NIST_IV), &NIST_CIPHER[..16]),
            Err(SecureError::BadPadding)
        );
        assert_eq!(unpad(vec![1, 2, 0x80, 0, 0]), Ok(vec![1, 2]));
        assert_eq!(unpad(vec![0; 16]), Err(SecureError::BadPadding));
        assert_eq!(unpad(vec![]), Err(SecureError::BadPadding));
        // The marker must lie in the last block.
        let mut far = vec![0x80];
        far.extend_from_slice(&[0; 16]);
        assert_eq!(unpad(far), Err(SecureError::BadPadding));
    }

    proptest::proptest! {
        /// Any ciphertext decrypts or fails cleanly; what decrypts re-encrypts to it.
        #[test]
        fn any_ciphertext(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let keys = nist_keys();
            if let Ok(plain) = keys.decrypt_data(&NIST_IV, &data) {
                proptest::prop_assert_eq!(keys.encrypt_data(&NIST_IV, &plain), data);
            }
        }

        /// Encryption then decryption gives the data back, for every length.
        #[test]
        fn any_plaintext(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let keys = nist_keys();
            let sealed = keys.encrypt_data(&NIST_IV, &data);
            proptest::prop_assert_eq!(sealed.len() % 16, 0);
            proptest::prop_assert!(sealed.len() > data.len());
            proptest::prop_assert_eq!(keys.decrypt_data(&NIST_IV, &sealed), Ok(data));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let keys = SessionKeys::derive(&Scbk::DEFAULT, &CP_RANDOM);
        assert_eq!(format!("{keys:?}"), "SessionKeys(<redacted>)");
    }
}
