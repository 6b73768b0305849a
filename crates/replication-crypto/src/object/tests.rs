//! Tests of the sealed-object format: round trips at every chunk edge, every kind of tampering,
//! re-encryption, streaming, and (with the `aws-lc-rs` feature) cross-backend compatibility.

use std::io::Write;

use super::*;
use crate::stream::{ObjectOpener, ObjectSealer, reseal_stream};

const AAD: &[u8] = b"arn:aws:s3:::source-bucket/object";
const DST_AAD: &[u8] = b"arn:aws:s3:::destination-bucket/object";

/// Deterministic filler (xorshift64*), so failures reproduce.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

fn config(chunk_size: u32) -> ChunkConfig {
    ChunkConfig::new(chunk_size).unwrap()
}

fn keys() -> (KeySource, Key256, Key256) {
    let mut rng = KeySource::new();
    let a = rng.key().unwrap();
    let b = rng.key().unwrap();
    (rng, a, b)
}

/// Opens through the streaming reader, chunk by chunk.
fn stream_open(key: &Key256, aad: &[u8], bytes: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut opener = ObjectOpener::new(bytes, key, aad)?;
    let mut out = Vec::new();
    while let Some(chunk) = opener.read_chunk()? {
        out.extend_from_slice(chunk);
    }
    Ok(out)
}

/// Opens through both readers, checks they agree, and returns the result.
fn open_both(key: &Key256, aad: &[u8], bytes: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let in_memory =
        SealedObject::from_bytes(bytes.to_vec()).and_then(|o| open_object(key, aad, &o));
    let streamed = stream_open(key, aad, bytes);
    match (&in_memory, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(format!("{a}"), format!("{b}"), "readers disagree"),
        _ => panic!("readers disagree: in memory {in_memory:?}, streamed {streamed:?}"),
    }
    in_memory
}

fn expected_sealed_len(len: usize, chunk_size: usize) -> usize {
    HEADER_LEN + len.div_ceil(chunk_size).max(1) * CHUNK_OVERHEAD + len
}

/// Every path: seal (in memory and streamed), open (both readers), reseal (sequential, parallel,
/// streamed), and the replica opens with the destination key only.
fn round_trip_all_ways(chunk_size: u32, len: usize, seed: u64) {
    let (mut rng, key, dst_key) = keys();
    let plaintext = data(len, seed);
    let cfg = config(chunk_size);
    let sealed = seal_object_with(&key, AAD, &plaintext, &mut rng, &cfg).unwrap();
    assert_eq!(
        sealed.len(),
        expected_sealed_len(len, chunk_size as usize),
        "len {len}"
    );
    assert_eq!(sealed.plaintext_len(), len as u64);
    assert_eq!(open_both(&key, AAD, sealed.as_bytes()).unwrap(), plaintext);

    let mut sealer = ObjectSealer::new(Vec::new(), &key, AAD, len as u64, &cfg, &mut rng).unwrap();
    // Odd write sizes so writes straddle chunk boundaries.
    for piece in plaintext.chunks(7) {
        sealer.write_all(piece).unwrap();
    }
    let streamed = sealer.finish().unwrap();
    assert_eq!(streamed.len(), sealed.len());
    assert_eq!(open_both(&key, AAD, &streamed).unwrap(), plaintext);

    // Thread counts, and recycled buffers that are too short, exact, too long and full of junk.
    let buffers = [
        Vec::new(),
        vec![0xAA; 3],
        vec![0x55; sealed.len()],
        vec![0xFF; sealed.len() + 99],
    ];
    for (threads, buffer) in [1, 2, 3, 2].into_iter().zip(buffers) {
        let threads = NonZeroUsize::new(threads).unwrap();
        let config = ResealConfig { threads, buffer };
        let replica =
            reseal_object_with(&key, AAD, &sealed, &dst_key, DST_AAD, &mut rng, config).unwrap();
        assert_eq!(replica.len(), sealed.len());
        assert_eq!(replica.header().chunk_size(), chunk_size);
        assert_ne!(replica.as_bytes(), sealed.as_bytes());
        assert_eq!(
            open_both(&dst_key, DST_AAD, replica.as_bytes()).unwrap(),
            plaintext
        );
        assert!(open_object(&key, AAD, &replica).is_err());
        assert!(open_object(&dst_key, AAD, &replica).is_err());
    }

    let mut out = Vec::new();
    let header = reseal_stream(
        sealed.as_bytes(),
        &mut out,
        &key,
        AAD,
        &dst_key,
        DST_AAD,
        &mut rng,
    )
    .unwrap();
    assert_eq!(header.plaintext_len(), len as u64);
    assert_eq!(open_both(&dst_key, DST_AAD, &out).unwrap(), plaintext);
}

#[test]
fn open_into_reuses_the_buffer_and_releases_nothing_of_a_bad_object() {
    let (mut rng, key, other) = keys();
    let mut out = vec![0xAA; 3];
    for (len, chunk_size) in [(0, 16), (100, 16), (5, 64), (64, 64)] {
        let body = data(len, len as u64 + 3);
        let sealed = seal_object_with(&key, AAD, &body, &mut rng, &config(chunk_size)).unwrap();
        open_object_into(&key, AAD, &sealed, &mut out).unwrap();
        assert_eq!(out, body, "{len} bytes in chunks of {chunk_size}");
    }
    // A last chunk that fails after earlier chunks opened: the buffer ends empty.
    let body = data(100, 9);
    let mut bytes = seal_object_with(&key, AAD, &body, &mut rng, &config(16))
        .unwrap()
        .into_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let tampered = SealedObject::from_bytes(bytes).unwrap();
    assert!(matches!(
        open_object_into(&key, AAD, &tampered, &mut out),
        Err(CryptoError::ChunkAuthenticationFailed { .. })
    ));
    assert!(out.is_empty());
    let sealed = seal_object(&key, AAD, &body, &mut rng).unwrap();
    assert!(open_object_into(&other, AAD, &sealed, &mut out).is_err());
    assert!(out.is_empty());
}

#[test]
fn verify_checks_every_chunk_in_one_chunk_of_memory() {
    let (mut rng, key, other) = keys();
    let mut scratch = Vec::new();
    for (len, chunk_size) in [(0, 16), (1, 16), (16, 16), (100, 16), (5, 64), (1000, 64)] {
        let body = data(len, len as u64 + 5);
        let sealed = seal_object_with(&key, AAD, &body, &mut rng, &config(chunk_size)).unwrap();
        assert_eq!(
            verify_object(&key, AAD, &sealed, &mut scratch).unwrap(),
            len as u64
        );
        assert!(scratch.len() <= chunk_size as usize, "one chunk at most");
        assert!(verify_object(&other, AAD, &sealed, &mut scratch).is_err());
        assert!(verify_object(&key, DST_AAD, &sealed, &mut scratch).is_err());
        assert!(scratch.is_empty(), "wiped after a failure");
    }
    // Every flipped byte of a multi-chunk object fails verification, as it fails opening.
    let sealed = seal_object_with(&key, AAD, &data(50, 1), &mut rng, &config(16)).unwrap();
    let bytes = sealed.into_bytes();
    for i in HEADER_LEN..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[i] ^= 0x40;
        let verified = SealedObject::from_bytes(tampered)
            .and_then(|o| verify_object(&key, AAD, &o, &mut scratch));
        assert!(verified.is_err(), "byte {i} flipped, still verified");
    }
}

#[test]
fn round_trips_at_every_chunk_edge() {
    for chunk_size in [16u32, 64, 100] {
        let cs = chunk_size as usize;
        for len in [
            0,
            1,
            cs - 1,
            cs,
            cs + 1,
            2 * cs,
            3 * cs,
            3 * cs + 1,
            7 * cs - 1,
        ] {
            round_trip_all_ways(chunk_size, len, len as u64 + 1);
        }
    }
}

#[test]
fn round_trips_at_the_default_chunk_edges() {
    let cs = DEFAULT_CHUNK_SIZE as usize;
    for len in [0, 1, cs - 1, cs, cs + 1, 2 * cs] {
        round_trip_all_ways(DEFAULT_CHUNK_SIZE, len, 42);
    }
}

#[test]
fn round_trips_over_random_lengths() {
    // A deterministic property test: 60 pseudo-random lengths and chunk sizes.
    let lengths = data(120, 7);
    for (idx, pair) in lengths.chunks(2).enumerate() {
        let chunk_size = 16 + u32::from(pair[0]);
        let len = usize::from(pair[1]) * 9 + idx;
        round_trip_all_ways(chunk_size, len, idx as u64);
    }
}

#[test]
fn empty_object_still_authenticates_key_and_context() {
    let (mut rng, key, other) = keys();
    let sealed = seal_object(&key, AAD, b"", &mut rng).unwrap();
    assert_eq!(sealed.header().chunk_count(), 1);
    assert!(open_object(&key, AAD, &sealed).unwrap().is_empty());
    assert!(matches!(
        open_object(&other, AAD, &sealed),
        Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
    ));
    assert!(matches!(
        open_object(&key, b"", &sealed),
        Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
    ));
}

#[test]
fn wrong_key_or_context_fails_at_the_first_chunk() {
    let (mut rng, key, other) = keys();
    let sealed = seal_object_with(&key, AAD, &data(1000, 1), &mut rng, &config(64)).unwrap();
    for (k, aad) in [
        (&other, AAD),
        (&key, DST_AAD),
        (&key, &AAD[..AAD.len() - 1]),
    ] {
        assert!(matches!(
            open_both(k, aad, sealed.as_bytes()),
            Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
        ));
    }
}

#[test]
fn every_flipped_byte_is_rejected_with_the_right_error() {
    let (mut rng, key, _) = keys();
    let cs = 16;
    // Three full chunks and a short one: frames of 36, 36, 36 and 27 bytes.
    let sealed = seal_object_with(&key, AAD, &data(3 * cs + 7, 3), &mut rng, &config(16)).unwrap();
    let frame_len = cs + CHUNK_OVERHEAD;
    for pos in 0..sealed.len() {
        let mut bytes = sealed.as_bytes().to_vec();
        bytes[pos] ^= 0x01;
        if (8..20).contains(&pos) {
            // A changed chunk size or length no longer matches the bytes present, or (if it
            // happens to) fails authentication because the header is in every chunk's AAD.
            // The two readers meet the mismatch in different places (the in-memory one checks
            // every frame index before decrypting), so only require that both refuse.
            let in_memory =
                SealedObject::from_bytes(bytes.clone()).and_then(|o| open_object(&key, AAD, &o));
            assert!(in_memory.is_err(), "flip at {pos} accepted");
            assert!(
                stream_open(&key, AAD, &bytes).is_err(),
                "flip at {pos} accepted"
            );
            continue;
        }
        let err = open_both(&key, AAD, &bytes).expect_err(&format!("flip at {pos} accepted"));
        let ok = match pos {
            0..4 => matches!(err, CryptoError::NotSealedObject),
            4 => matches!(
                err,
                CryptoError::UnsupportedVersion {
                    found: 0,
                    supported: 1
                }
            ),
            5 => matches!(
                err,
                CryptoError::InvalidHeader {
                    field: "algorithm",
                    ..
                }
            ),
            6..8 => matches!(
                err,
                CryptoError::InvalidHeader {
                    field: "reserved",
                    ..
                }
            ),
            20..HEADER_LEN => matches!(err, CryptoError::ChunkAuthenticationFailed { index: 0 }),
            _ => {
                let frame = (pos - HEADER_LEN) / frame_len;
                let in_frame = (pos - HEADER_LEN) % frame_len;
                if in_frame < INDEX_LEN {
                    matches!(err, CryptoError::ChunkOutOfOrder { position, .. } if position == frame as u64)
                } else {
                    matches!(err, CryptoError::ChunkAuthenticationFailed { index } if index == frame as u64)
                }
            }
        };
        assert!(ok, "flip at {pos}: unexpected error {err}");
    }
}

/// Frame `index` of `bytes` sealed with chunk size `cs` (full chunks only).
fn frame_range(cs: usize, index: usize) -> std::ops::Range<usize> {
    let start = HEADER_LEN + index * (cs + CHUNK_OVERHEAD);
    start..start + cs + CHUNK_OVERHEAD
}

#[test]
fn truncation_is_rejected() {
    let (mut rng, key, _) = keys();
    let sealed = seal_object_with(&key, AAD, &data(64, 4), &mut rng, &config(16)).unwrap();
    let bytes = sealed.as_bytes();
    let last = frame_range(16, 3);
    for cut in [
        last.start,      // drop the last chunk
        last.start + 10, // cut inside the last chunk
        last.end - 1,    // cut one byte of the last tag
        frame_range(16, 1).start + 5,
        HEADER_LEN, // header only
    ] {
        assert!(
            matches!(
                open_both(&key, AAD, &bytes[..cut]),
                Err(CryptoError::Truncated { what: "sealed object", found, .. }) if found == cut as u64
            ),
            "cut at {cut}"
        );
    }
    for cut in [0, 3, 4, HEADER_LEN - 1] {
        let err = open_both(&key, AAD, &bytes[..cut]).unwrap_err();
        assert!(
            matches!(
                err,
                CryptoError::Truncated {
                    what: "object header",
                    ..
                }
            ),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn truncation_with_a_rewritten_length_is_still_rejected() {
    // Drop the last chunk and rewrite the header's length to match: the structure is now
    // consistent, but the header is authenticated by every chunk, and the new last chunk was
    // sealed with the "not last" flag.
    let (mut rng, key, _) = keys();
    let sealed = seal_object_with(&key, AAD, &data(64, 5), &mut rng, &config(16)).unwrap();
    let mut bytes = sealed.as_bytes()[..frame_range(16, 3).start].to_vec();
    bytes[12..20].copy_from_slice(&48u64.to_be_bytes());
    assert!(matches!(
        open_both(&key, AAD, &bytes),
        Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
    ));
}

#[test]
fn appended_chunk_is_rejected() {
    let (mut rng, key, _) = keys();
    let sealed = seal_object_with(&key, AAD, &data(64, 6), &mut rng, &config(16)).unwrap();
    let mut bytes = sealed.as_bytes().to_vec();
    let last = bytes[frame_range(16, 3)].to_vec();
    bytes.extend_from_slice(&last);
    assert!(matches!(
        open_both(&key, AAD, &bytes),
        Err(CryptoError::TrailingData { extra: 36 })
    ));
    let mut one_more = sealed.as_bytes().to_vec();
    one_more.push(0);
    assert!(matches!(
        open_both(&key, AAD, &one_more),
        Err(CryptoError::TrailingData { extra: 1 })
    ));
}

#[test]
fn reordered_chunks_are_rejected() {
    let (mut rng, key, _) = keys();
    let sealed = seal_object_with(&key, AAD, &data(64, 7), &mut rng, &config(16)).unwrap();
    let mut bytes = sealed.as_bytes().to_vec();
    let (first, second) = (
        bytes[frame_range(16, 0)].to_vec(),
        bytes[frame_range(16, 1)].to_vec(),
    );
    bytes[frame_range(16, 0)].copy_from_slice(&second);
    bytes[frame_range(16, 1)].copy_from_slice(&first);
    assert!(matches!(
        open_both(&key, AAD, &bytes),
        Err(CryptoError::ChunkOutOfOrder {
            position: 0,
            found: 1
        })
    ));

    // Rewriting the index fields to hide the swap does not help: the nonce carries the index.
    bytes[frame_range(16, 0).start..][..4].copy_from_slice(&0u32.to_be_bytes());
    bytes[frame_range(16, 1).start..][..4].copy_from_slice(&1u32.to_be_bytes());
    assert!(matches!(
        open_both(&key, AAD, &bytes),
        Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
    ));
}

#[test]
fn chunk_from_another_object_under_the_same_key_is_rejected() {
    let (mut rng, key, _) = keys();
    let plaintext = data(64, 8);
    // Same key, same context, same plaintext: only the per-object salt and prefix differ.
    let a = seal_object_with(&key, AAD, &plaintext, &mut rng, &config(16)).unwrap();
    let b = seal_object_with(&key, AAD, &plaintext, &mut rng, &config(16)).unwrap();
    for index in 0..4 {
        let mut bytes = a.as_bytes().to_vec();
        bytes[frame_range(16, index)].copy_from_slice(&b.as_bytes()[frame_range(16, index)]);
        assert!(matches!(
            open_both(&key, AAD, &bytes),
            Err(CryptoError::ChunkAuthenticationFailed { index: i }) if i == index as u64
        ));
    }
}

#[test]
fn reseal_rejects_a_wrong_source_key_or_context_and_returns_nothing() {
    let (mut rng, key, dst_key) = keys();
    let sealed = seal_object_with(&key, AAD, &data(200, 9), &mut rng, &config(16)).unwrap();
    assert!(matches!(
        reseal_object(&dst_key, AAD, &sealed, &dst_key, DST_AAD, &mut rng),
        Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
    ));
    assert!(matches!(
        reseal_object(&key, DST_AAD, &sealed, &dst_key, DST_AAD, &mut rng),
        Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
    ));
    // A bad chunk in the middle is found whichever thread owns it.
    let mut bytes = sealed.as_bytes().to_vec();
    let pos = frame_range(16, 9).start + 8;
    bytes[pos] ^= 0x40;
    let tampered = SealedObject::from_bytes(bytes).unwrap();
    for threads in [1, 2, 4] {
        let threads = NonZeroUsize::new(threads).unwrap();
        let config = ResealConfig {
            threads,
            buffer: Vec::new(),
        };
        assert!(matches!(
            reseal_object_with(&key, AAD, &tampered, &dst_key, DST_AAD, &mut rng, config),
            Err(CryptoError::ChunkAuthenticationFailed { index: 9 })
        ));
    }
    let mut out = Vec::new();
    assert!(matches!(
        reseal_stream(
            tampered.as_bytes(),
            &mut out,
            &key,
            AAD,
            &dst_key,
            DST_AAD,
            &mut rng
        ),
        Err(CryptoError::ChunkAuthenticationFailed { index: 9 })
    ));
    // What was written before the failure is a truncated object, never a complete one.
    assert!(matches!(
        SealedObject::from_bytes(out),
        Err(CryptoError::Truncated { .. })
    ));
}

#[test]
fn double_layer_round_trips() {
    // DSSE-KMS: the model seals the object twice under two independent data keys.
    let (mut rng, inner_key, outer_key) = keys();
    let plaintext = data(3 * DEFAULT_CHUNK_SIZE as usize / 2, 10);
    let inner = seal_object(&inner_key, AAD, &plaintext, &mut rng).unwrap();
    let outer = seal_object(&outer_key, AAD, inner.as_bytes(), &mut rng).unwrap();
    let inner_bytes = open_object(&outer_key, AAD, &outer).unwrap();
    let inner_back = SealedObject::from_bytes(inner_bytes).unwrap();
    assert_eq!(
        open_object(&inner_key, AAD, &inner_back).unwrap(),
        plaintext
    );
    // Peeling in the wrong order fails.
    assert!(open_object(&inner_key, AAD, &outer).is_err());
}

#[test]
fn headers_are_validated() {
    let (mut rng, key, _) = keys();
    let sealed = seal_object_with(&key, AAD, &data(10, 11), &mut rng, &config(16)).unwrap();
    let with = |pos: usize, value: &[u8]| {
        let mut bytes = sealed.as_bytes().to_vec();
        bytes[pos..pos + value.len()].copy_from_slice(value);
        SealedObject::from_bytes(bytes).unwrap_err()
    };
    assert!(matches!(
        with(0, b"PK\x03\x04"),
        CryptoError::NotSealedObject
    ));
    assert!(matches!(
        with(4, &[2]),
        CryptoError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    ));
    assert!(matches!(
        with(8, &15u32.to_be_bytes()),
        CryptoError::InvalidHeader {
            field: "chunk_size",
            ..
        }
    ));
    assert!(matches!(
        with(8, &(MAX_CHUNK_SIZE + 1).to_be_bytes()),
        CryptoError::InvalidHeader {
            field: "chunk_size",
            ..
        }
    ));
    assert!(matches!(
        with(12, &u64::MAX.to_be_bytes()),
        CryptoError::InvalidHeader {
            field: "plaintext_len",
            ..
        }
    ));
    assert!(matches!(
        SealedObject::from_bytes(b"RL".to_vec()),
        Err(CryptoError::Truncated {
            what: "object header",
            ..
        })
    ));
    assert!(matches!(
        SealedObject::from_bytes(b"{}".to_vec()),
        Err(CryptoError::NotSealedObject)
    ));
    assert!(matches!(
        SealedObject::from_bytes(Vec::new()),
        Err(CryptoError::Truncated {
            what: "object header",
            found: 0,
            ..
        })
    ));
    assert_eq!(
        ObjectHeader::parse(sealed.as_bytes()).unwrap().encode()[..],
        sealed.as_bytes()[..HEADER_LEN]
    );
}

#[test]
fn chunk_config_bounds() {
    assert!(ChunkConfig::new(MIN_CHUNK_SIZE).is_ok());
    assert!(ChunkConfig::new(MAX_CHUNK_SIZE).is_ok());
    assert!(matches!(
        ChunkConfig::new(MIN_CHUNK_SIZE - 1),
        Err(CryptoError::InvalidChunkSize { requested: 15, .. })
    ));
    assert!(ChunkConfig::new(MAX_CHUNK_SIZE + 1).is_err());
}

#[test]
fn sealing_twice_gives_unrelated_bytes() {
    let (mut rng, key, _) = keys();
    let a = seal_object(&key, AAD, b"same", &mut rng).unwrap();
    let b = seal_object(&key, AAD, b"same", &mut rng).unwrap();
    assert_ne!(a.as_bytes()[20..], b.as_bytes()[20..]);
}

#[test]
fn streaming_sealer_enforces_the_declared_length() {
    let (mut rng, key, _) = keys();
    let cfg = config(16);
    let mut short = ObjectSealer::new(Vec::new(), &key, AAD, 40, &cfg, &mut rng).unwrap();
    short.write_all(&[1; 39]).unwrap();
    assert!(matches!(
        short.finish(),
        Err(CryptoError::LengthMismatch {
            declared: 40,
            written: 39
        })
    ));

    let mut long = ObjectSealer::new(Vec::new(), &key, AAD, 40, &cfg, &mut rng).unwrap();
    long.write_all(&[1; 30]).unwrap();
    let err = long.write_all(&[1; 11]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`40`"), "{err}");
}

#[test]
fn streaming_opener_reads_by_chunk_and_stays_failed() {
    use std::io::Read;
    let (mut rng, key, _) = keys();
    let plaintext = data(50, 12);
    let sealed = seal_object_with(&key, AAD, &plaintext, &mut rng, &config(16)).unwrap();
    let mut opener = ObjectOpener::new(sealed.as_bytes(), &key, AAD).unwrap();
    assert_eq!(opener.header().chunk_count(), 4);
    let sizes: Vec<usize> =
        std::iter::from_fn(|| opener.read_chunk().unwrap().map(<[u8]>::len)).collect();
    assert_eq!(sizes, [16, 16, 16, 2]);

    let mut bytes = sealed.as_bytes().to_vec();
    bytes[frame_range(16, 1).start + 6] ^= 1;
    let mut opener = ObjectOpener::new(&bytes[..], &key, AAD).unwrap();
    let mut buf = [0u8; 8];
    // The first chunk is authentic and released; the second is not.
    assert_eq!(opener.read(&mut buf).unwrap(), 8);
    assert_eq!(opener.read(&mut buf).unwrap(), 8);
    assert_eq!(buf, plaintext[8..16]);
    let err = opener.read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("chunk `1`"), "{err}");
    assert!(opener.read(&mut buf).is_err());
    assert!(opener.read_chunk().is_err());
}

#[cfg(feature = "aws-lc-rs")]
mod cross_backend {
    use super::*;
    use crate::backend::{AesGcm, AwsLc};
    use crate::stream::reseal_stream_with_backend;

    #[test]
    fn raw_ciphertext_is_byte_identical() {
        let (_, key, _) = keys();
        let (a, b) = (AesGcm::new(&key).unwrap(), AwsLc::new(&key).unwrap());
        for len in (0..300).chain([4096, 65_537]) {
            let nonce: [u8; NONCE_LEN] = data(NONCE_LEN, len as u64).try_into().unwrap();
            let aad = data(len % 50, 99);
            let mut x = data(len, len as u64 + 5);
            let mut y = x.clone();
            let tag_x = a.seal_in_place_detached(&nonce, &aad, &mut x).unwrap();
            let tag_y = b.seal_in_place_detached(&nonce, &aad, &mut y).unwrap();
            assert_eq!((&x, tag_x), (&y, tag_y), "len {len}");
        }
    }

    #[test]
    fn objects_open_across_backends() {
        let (mut rng, key, dst_key) = keys();
        let cfg = config(1000);
        let plaintext = data(10_500, 13);
        let by_rust = seal_with_backend::<AesGcm>(&key, AAD, &plaintext, &mut rng, &cfg).unwrap();
        let by_awslc = seal_with_backend::<AwsLc>(&key, AAD, &plaintext, &mut rng, &cfg).unwrap();
        assert_eq!(
            open_with_backend::<AwsLc>(&key, AAD, &by_rust).unwrap(),
            plaintext
        );
        assert_eq!(
            open_with_backend::<AesGcm>(&key, AAD, &by_awslc).unwrap(),
            plaintext
        );
        assert!(open_with_backend::<AwsLc>(&key, DST_AAD, &by_rust).is_err());

        let replica = reseal_with_backend::<AesGcm, AwsLc>(
            &key,
            AAD,
            &by_rust,
            &dst_key,
            DST_AAD,
            &mut rng,
            ResealConfig::default(),
        )
        .unwrap();
        assert_eq!(
            open_with_backend::<AesGcm>(&dst_key, DST_AAD, &replica).unwrap(),
            plaintext
        );

        let mut out = Vec::new();
        reseal_stream_with_backend::<AwsLc, AesGcm>(
            &mut by_rust.as_bytes(),
            &mut out,
            &key,
            AAD,
            &dst_key,
            DST_AAD,
            &mut rng,
        )
        .unwrap();
        let replica = SealedObject::from_bytes(out).unwrap();
        assert_eq!(
            open_with_backend::<AwsLc>(&dst_key, DST_AAD, &replica).unwrap(),
            plaintext
        );
    }

    #[test]
    fn aws_lc_rejects_tampering_like_aes_gcm() {
        let (mut rng, key, _) = keys();
        let sealed =
            seal_with_backend::<AesGcm>(&key, AAD, &data(40, 14), &mut rng, &config(16)).unwrap();
        for pos in HEADER_LEN..sealed.len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[pos] ^= 0x80;
            let res = SealedObject::from_bytes(bytes)
                .and_then(|o| open_with_backend::<AwsLc>(&key, AAD, &o));
            assert!(res.is_err(), "flip at {pos} accepted by aws-lc-rs");
        }
    }
}
