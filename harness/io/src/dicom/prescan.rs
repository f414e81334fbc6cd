//! A structural check of DICOM bytes before the parser sees them.
//!
//! dicom-parser (0.10) allocates and zero-fills the declared length of an element before reading
//! its value, so a few bytes declaring a 4 GiB element make it allocate 4 GiB; and it builds
//! nested sequences by recursion, so deeply nested sequences could exhaust the stack. Both were
//! found by fuzzing (`harness/io/fuzz`). This walk over the element headers refuses, before
//! parsing, any element whose declared length exceeds the bytes that remain, and sequences
//! nested deeper than [`MAX_DEPTH`]. It reads headers only and allocates nothing (except for
//! deflated data sets, which are inflated once, up to a bound, to be checked).

use std::io::Read;

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

/// Deepest sequence nesting accepted (clinical objects nest a handful of levels).
pub(crate) const MAX_DEPTH: usize = 32;
/// A deflated data set may inflate to at most this many times its compressed size (and at
/// least to 64 MiB) before it is refused as a deflate bomb.
const MAX_INFLATE_RATIO: u64 = 256;

const UNDEFINED: u32 = 0xFFFF_FFFF;

#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    ExplicitLittle,
    ImplicitLittle,
    ExplicitBig,
}

struct Walker<'a> {
    bytes: &'a [u8],
    encoding: Encoding,
}

/// Checks the bytes of a Part 10 file that starts at the `DICM` marker.
pub(crate) fn check(body: &[u8]) -> Result<(), String> {
    let data = body.get(4..).ok_or("file ends inside the DICM marker")?;
    // The file meta group: explicit VR little endian. Like dicom-object, take its extent from
    // the group length (0002,0000), which must come first, not from the group numbers.
    let meta = Walker {
        bytes: data,
        encoding: Encoding::ExplicitLittle,
    };
    let (tag, header, len, _) = meta.header(0)?;
    if tag != Tag(0x0002, 0x0000) || len != 4 || data.len() < header + 4 {
        // The parser refuses this before reading anything else.
        return Ok(());
    }
    let group_length = u32::from_le_bytes([data[8], data[9], data[10], data[11]]) as usize;
    let mut pos = header + 4;
    let mut consumed = 0;
    let mut transfer_syntax = None;
    while consumed < group_length {
        if pos + 8 > data.len() {
            return Ok(());
        }
        let (tag, header, len, _) = meta.header(pos)?;
        let start = pos + header;
        let end = meta.value_end(tag, start, len, data.len())?;
        if tag == Tag(0x0002, 0x0010) {
            let uid = String::from_utf8_lossy(&data[start..end]);
            transfer_syntax = Some(uid.trim_end_matches(['\0', ' ']).to_owned());
        }
        consumed += end - pos;
        pos = end;
    }
    let rest = &data[pos..];
    match transfer_syntax.as_deref() {
        Some("1.2.840.10008.1.2") => walk_all(rest, Encoding::ImplicitLittle),
        Some("1.2.840.10008.1.2.2") => walk_all(rest, Encoding::ExplicitBig),
        Some("1.2.840.10008.1.2.1.99") => {
            let inflated = inflate(rest)?;
            walk_all(&inflated, Encoding::ExplicitLittle)
        }
        // Everything else (and a missing transfer syntax, which the parser refuses) encodes
        // the data set as explicit VR little endian.
        _ => walk_all(rest, Encoding::ExplicitLittle),
    }
}

fn walk_all(bytes: &[u8], encoding: Encoding) -> Result<(), String> {
    let w = Walker { bytes, encoding };
    w.elements(0, bytes.len(), 0, false).map(|_| ())
}

fn inflate(deflated: &[u8]) -> Result<Vec<u8>, String> {
    let limit = (deflated.len() as u64 * MAX_INFLATE_RATIO).max(64 << 20);
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(deflated)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot inflate the deflated data set ({e})"))?;
    if out.len() as u64 > limit {
        return Err(format!(
            "deflated data set inflates to more than {limit} bytes from {}",
            deflated.len()
        ));
    }
    Ok(out)
}

impl Walker<'_> {
    fn u16_at(&self, pos: usize) -> u16 {
        let b = [self.bytes[pos], self.bytes[pos + 1]];
        if self.encoding == Encoding::ExplicitBig {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }

    fn u32_at(&self, pos: usize) -> u32 {
        let b = [
            self.bytes[pos],
            self.bytes[pos + 1],
            self.bytes[pos + 2],
            self.bytes[pos + 3],
        ];
        if self.encoding == Encoding::ExplicitBig {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    /// Tag, header size, value length and whether the value is a sequence of items, for the
    /// element at `pos`.
    fn header(&self, pos: usize) -> Result<(Tag, usize, u32, bool), String> {
        self.header_vr(pos)
            .map(|(tag, header, len, seq, _)| (tag, header, len, seq))
    }

    /// [`Walker::header`] and the VR: explicit, or from the dictionary for implicit VR.
    fn header_vr(&self, pos: usize) -> Result<(Tag, usize, u32, bool, Option<VR>), String> {
        let n = self.bytes.len();
        if pos + 8 > n {
            return Err(format!("element header at byte {pos} runs past the end"));
        }
        let tag = Tag(self.u16_at(pos), self.u16_at(pos + 2));
        if tag.group() == 0xFFFE || self.encoding == Encoding::ImplicitLittle {
            let len = self.u32_at(pos + 4);
            let vr = (tag.group() != 0xFFFE)
                .then(|| dictionary_vr(tag))
                .flatten();
            let is_sequence = tag.group() != 0xFFFE && (len == UNDEFINED || vr == Some(VR::SQ));
            return Ok((tag, 8, len, is_sequence, vr));
        }
        // As dicom-encoding does: an unknown VR is UN, and every VR but the short ones has a
        // 2-byte reserved field and a 4-byte length.
        let vr = VR::from_binary([self.bytes[pos + 4], self.bytes[pos + 5]]).unwrap_or(VR::UN);
        let long = !matches!(
            vr,
            VR::AE
                | VR::AS
                | VR::AT
                | VR::CS
                | VR::DA
                | VR::DS
                | VR::DT
                | VR::FL
                | VR::FD
                | VR::IS
                | VR::LO
                | VR::LT
                | VR::PN
                | VR::SH
                | VR::SL
                | VR::SS
                | VR::ST
                | VR::TM
                | VR::UI
                | VR::UL
                | VR::US
        );
        if long {
            if pos + 12 > n {
                return Err(format!("element header at byte {pos} runs past the end"));
            }
            let len = self.u32_at(pos + 8);
            let is_sequence = vr == VR::SQ || len == UNDEFINED;
            Ok((tag, 12, len, is_sequence, Some(vr)))
        } else {
            Ok((tag, 8, u32::from(self.u16_at(pos + 6)), false, Some(vr)))
        }
    }

    /// The end of a defined-length value starting at `start`, checked against `limit`.
    fn value_end(&self, tag: Tag, start: usize, len: u32, limit: usize) -> Result<usize, String> {
        let remaining = limit.saturating_sub(start);
        if len as usize > remaining {
            return Err(format!(
                "element {tag} at byte {start} declares {len} bytes, only {remaining} remain"
            ));
        }
        Ok(start + len as usize)
    }

    /// Walks the elements in `pos..end`; inside an undefined-length item (`in_item`) stops at
    /// the item delimiter. Returns the position after the last element walked.
    fn elements(
        &self,
        mut pos: usize,
        end: usize,
        depth: usize,
        in_item: bool,
    ) -> Result<usize, String> {
        while pos < end {
            if pos + 8 > end {
                if depth == 0 {
                    // Trailing bytes shorter than a header: the parser ends the data set there.
                    return Ok(end);
                }
                return Err(format!("{} stray bytes at the end of an item", end - pos));
            }
            let (tag, header, len, is_sequence, vr) = self.header_vr(pos)?;
            let un = vr == Some(VR::UN);
            let start = pos + header;
            if tag == Tag(0xFFFE, 0xE00D) && in_item {
                return Ok(start);
            }
            if len == UNDEFINED {
                let fragments = tag == Tag(0x7FE0, 0x0010);
                if !is_sequence && !fragments {
                    return Err(format!(
                        "element {tag} at byte {pos} has an undefined length"
                    ));
                }
                pos = if un && self.encoding != Encoding::ImplicitLittle {
                    // An undefined-length UN value is an implicit VR little endian sequence.
                    let implicit = Walker {
                        bytes: self.bytes,
                        encoding: Encoding::ImplicitLittle,
                    };
                    implicit.items(start, end, depth + 1, false, None)?
                } else {
                    self.items(start, end, depth + 1, fragments, None)?
                };
            } else {
                let value_end = self.value_end(tag, start, len, end)?;
                // dicom-parser reads whole values of fixed-size types and skips the rest of
                // the length without reading it, which would put it out of step with the
                // bytes: refuse such lengths (the standard requires whole values).
                if let Some(size) = vr.and_then(value_size)
                    && !(len as usize).is_multiple_of(size)
                {
                    return Err(format!(
                        "element {tag} at byte {pos} has length {len}, not a multiple of {size}"
                    ));
                }
                if is_sequence {
                    self.items(start, value_end, depth + 1, false, Some(value_end))?;
                }
                pos = value_end;
            }
        }
        Ok(pos)
    }

    /// Walks the items of a sequence (or the fragments of encapsulated pixel data) from `pos`;
    /// with `defined_end` the sequence ends there, else at the sequence delimiter.
    fn items(
        &self,
        mut pos: usize,
        end: usize,
        depth: usize,
        fragments: bool,
        defined_end: Option<usize>,
    ) -> Result<usize, String> {
        if depth > MAX_DEPTH {
            return Err(format!("sequences nested deeper than {MAX_DEPTH} levels"));
        }
        let end = defined_end.unwrap_or(end);
        while pos + 8 <= end {
            let tag = Tag(self.u16_at(pos), self.u16_at(pos + 2));
            let len = self.u32_at(pos + 4);
            let start = pos + 8;
            match tag {
                Tag(0xFFFE, 0xE0DD) => return Ok(start),
                Tag(0xFFFE, 0xE000) if fragments => {
                    pos = self.value_end(tag, start, len, end)?;
                }
                Tag(0xFFFE, 0xE000) if len == UNDEFINED => {
                    pos = self.elements(start, end, depth, true)?;
                }
                Tag(0xFFFE, 0xE000) => {
                    let item_end = self.value_end(tag, start, len, end)?;
                    self.elements(start, item_end, depth, false)?;
                    pos = item_end;
                }
                other => {
                    return Err(format!(
                        "expected a sequence item at byte {pos}, found {other}"
                    ));
                }
            }
        }
        if pos < end {
            return Err(format!(
                "{} stray bytes at the end of a sequence",
                end - pos
            ));
        }
        Ok(end)
    }
}

/// The size of one value of a fixed-size binary VR.
fn value_size(vr: VR) -> Option<usize> {
    match vr {
        VR::US | VR::SS | VR::OW => Some(2),
        VR::UL | VR::SL | VR::FL | VR::AT | VR::OF | VR::OL => Some(4),
        VR::FD | VR::OD | VR::OV | VR::SV | VR::UV => Some(8),
        _ => None,
    }
}

/// The VR the standard dictionary gives `tag` (for implicit VR data sets): US/SS values count
/// as US, OB/OW values as OW.
fn dictionary_vr(tag: Tag) -> Option<VR> {
    StandardDataDictionary.by_tag(tag).map(|e| match e.vr() {
        VirtualVr::Exact(vr) => vr,
        VirtualVr::Xs => VR::US,
        VirtualVr::Ox => VR::OW,
        VirtualVr::Px => VR::OW,
        _ => VR::UN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dicom::testutil::build;

    fn body(file: &[u8]) -> &[u8] {
        &file[128..]
    }

    #[test]
    fn well_formed_files_pass() {
        let grid = radcheck_grid::Grid::new([4, 4, 2], [1.0; 3]);
        let seg = build::seg_file(
            &grid,
            &[(1, "a")],
            &[build::SegFrame {
                segment: 1,
                position: [0.0; 3],
                pixels: vec![true; 16],
            }],
        );
        check(body(&seg)).unwrap();
        let slice = build::ct_slice("2.25.1", 1, [0.0; 3], [2, 2], [1.0, 1.0], &[1, 2, 3, 4]);
        check(body(&slice)).unwrap();
    }

    #[test]
    fn an_element_longer_than_the_file_is_refused() {
        let mut slice = build::ct_slice("2.25.1", 1, [0.0; 3], [2, 2], [1.0, 1.0], &[1, 2, 3, 4]);
        // The pixel data (OW, long form) is last: declare 4 GB.
        let n = slice.len();
        slice[n - 12..n - 8].copy_from_slice(&0xF000_0000u32.to_le_bytes());
        let err = check(body(&slice)).unwrap_err();
        assert!(
            err.contains("(7FE0,0010)") && err.contains("4026531840"),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        // An implicit VR data set of nested undefined-length sequences.
        let mut data = b"DICM".to_vec();
        let ts = b"1.2.840.10008.1.2\0";
        data.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
        data.extend_from_slice(&(8 + ts.len() as u32).to_le_bytes());
        data.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I']);
        data.extend_from_slice(&(ts.len() as u16).to_le_bytes());
        data.extend_from_slice(ts);
        for _ in 0..100 {
            data.extend_from_slice(&[0x08, 0x00, 0x15, 0x11, 0xFF, 0xFF, 0xFF, 0xFF]);
            data.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        let err = check(&data).unwrap_err();
        assert!(err.contains("nested deeper"), "{err}");
    }
}
