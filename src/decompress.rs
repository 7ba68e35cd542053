//! Decompression, chosen by magic bytes rather than by file name.
//!
//! gzip (every member of a multi-member file, as exports concatenate them)
//! and zstd (every frame) are peeled off, nested up to [`MAX_LAYERS`] deep
//! (`.json.gz.zst`). A zip archive is left as it is for `archive` to open;
//! bzip2 and xz are recognised so the run can say they were skipped instead
//! of scanning compressed noise.

use flate2::bufread::MultiGzDecoder;
use std::io::{self, BufRead, BufReader, Read};

/// Deepest nesting of compression layers peeled.
pub const MAX_LAYERS: usize = 4;
const BUF: usize = 256 * 1024;

/// What the first bytes of a stream say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    Gzip,
    Zstd,
    Zip,
    Bzip2,
    Xz,
    Plain,
}

/// Recognises a stream by its first bytes.
pub fn sniff(head: &[u8]) -> Magic {
    match head {
        [0x1f, 0x8b, ..] => Magic::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Magic::Zstd,
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Magic::Zip,
        [b'B', b'Z', b'h', ..] => Magic::Bzip2,
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Magic::Xz,
        _ => Magic::Plain,
    }
}

/// A decompressed stream and the layers removed (outermost first).
pub struct Opened<'a> {
    pub reader: Box<dyn BufRead + Send + 'a>,
    pub layers: Vec<&'static str>,
}

/// Why a stream was not opened.
#[derive(Debug)]
pub enum OpenError {
    /// A format recognised but not scanned: the reason to report as skipped.
    Unsupported(String),
    Io(io::Error),
}

/// Peels compression layers off `raw`.
pub fn open<'a>(raw: Box<dyn Read + Send + 'a>) -> Result<Opened<'a>, OpenError> {
    let mut reader: Box<dyn BufRead + Send + 'a> = Box::new(BufReader::with_capacity(BUF, raw));
    let mut layers = Vec::new();
    loop {
        let magic = sniff(reader.fill_buf().map_err(OpenError::Io)?);
        reader = match magic {
            Magic::Plain | Magic::Zip => return Ok(Opened { reader, layers }),
            _ if layers.len() >= MAX_LAYERS => {
                return Err(OpenError::Unsupported(format!(
                    "more than {MAX_LAYERS} nested compression layers"
                )))
            }
            Magic::Gzip => {
                layers.push("gzip");
                Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(reader)))
            }
            Magic::Zstd => {
                layers.push("zstd");
                let dec =
                    zstd::stream::read::Decoder::with_buffer(reader).map_err(OpenError::Io)?;
                Box::new(BufReader::with_capacity(BUF, dec))
            }

            Magic::Bzip2 => {
                return Err(OpenError::Unsupported(
                    "bzip2 compression is not supported".into(),
                ))
            }
            Magic::Xz => {
                return Err(OpenError::Unsupported(
                    "xz compression is not supported".into(),
                ))
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all(bytes: Vec<u8>) -> (Vec<u8>, Vec<&'static str>) {
        let o = open(Box::new(io::Cursor::new(bytes))).ok().unwrap();
        let layers = o.layers.clone();
        let mut out = Vec::new();
        let mut r = o.reader;
        r.read_to_end(&mut out).unwrap();
        (out, layers)
    }

    #[test]
    fn multi_member_gzip_and_nested_zstd() {
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        assert_eq!(
            read_all(two.clone()),
            (b"first\nsecond\n".to_vec(), vec!["gzip"])
        );
        let z = zstd::encode_all(&two[..], 1).unwrap();
        assert_eq!(
            read_all(z),
            (b"first\nsecond\n".to_vec(), vec!["zstd", "gzip"])
        );
        assert_eq!(read_all(b"plain".to_vec()), (b"plain".to_vec(), vec![]));
    }

    #[test]
    fn zip_is_left_to_the_archive_stage_and_corrupt_gzip_errors() {
        let mut zip = open(Box::new(io::Cursor::new(b"PK\x03\x04rest".to_vec())))
            .ok()
            .unwrap();
        assert_eq!(sniff(zip.reader.fill_buf().unwrap()), Magic::Zip);
        assert!(open(Box::new(io::Cursor::new(b"BZh91AY".to_vec()))).is_err());

        let mut bad = gz(b"some data that is long enough to matter\n");
        let n = bad.len();
        bad[n / 2] ^= 0xff;
        let o = open(Box::new(io::Cursor::new(bad))).ok().unwrap();
        let mut out = Vec::new();
        let mut r = o.reader;
        assert!(r.read_to_end(&mut out).is_err());
    }
}
