//! Text of one logical line together with where each byte came from. Continuations join
//! physical lines and `${VAR}` or macro parameters replace text, yet every word must still
//! point at the bytes of the file that produced it.

use std::ops::Range;

use aop_source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    text_start: u32,
    src_start: u32,
    src_end: u32,
    /// Byte-for-byte copy of the source; otherwise replaced text mapped to the whole reference.
    exact: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub file: FileId,
    pub text: Vec<u8>,
    segments: Vec<Segment>,
}

impl Mapped {
    pub fn new(file: FileId) -> Self {
        Mapped {
            file,
            text: Vec::new(),
            segments: Vec::new(),
        }
    }

    /// Appends source bytes `src` found at `src_start` in the file.
    pub fn push_exact(&mut self, src: &[u8], src_start: usize) {
        if src.is_empty() {
            return;
        }
        self.segments.push(Segment {
            text_start: self.text.len() as u32,
            src_start: src_start as u32,
            src_end: (src_start + src.len()) as u32,
            exact: true,
        });
        self.text.extend_from_slice(src);
    }

    fn push_replaced(&mut self, text: &[u8], src: Range<u32>) {
        if text.is_empty() {
            return;
        }
        self.segments.push(Segment {
            text_start: self.text.len() as u32,
            src_start: src.start,
            src_end: src.end,
            exact: false,
        });
        self.text.extend_from_slice(text);
    }

    fn source_pos(&self, pos: usize, is_end: bool) -> u32 {
        let pos = pos.min(self.text.len()) as u32;
        let idx = self.segments.partition_point(|s| {
            if is_end {
                s.text_start < pos
            } else {
                s.text_start <= pos
            }
        });
        let Some(seg) = idx.checked_sub(1).map(|i| self.segments[i]) else {
            return self.segments.first().map_or(0, |s| s.src_start);
        };
        if seg.exact {
            (seg.src_start + (pos - seg.text_start)).min(seg.src_end)
        } else if is_end {
            seg.src_end
        } else {
            seg.src_start
        }
    }

    /// The span in the file of the text bytes `range`.
    pub fn span(&self, range: Range<usize>) -> Span {
        let start = self.source_pos(range.start, false);
        let end = self.source_pos(range.end, true).max(start);
        Span {
            file: self.file,
            start,
            end,
        }
    }

    fn copy_into(&self, out: &mut Mapped, range: Range<usize>) {
        for (i, seg) in self.segments.iter().enumerate() {
            let seg_end = self
                .segments
                .get(i + 1)
                .map_or(self.text.len(), |n| n.text_start as usize);
            let a = range.start.max(seg.text_start as usize);
            let b = range.end.min(seg_end);
            if a >= b {
                continue;
            }
            let text = &self.text[a..b];
            if seg.exact {
                let src = seg.src_start as usize + (a - seg.text_start as usize);
                out.push_exact(text, src);
            } else {
                out.push_replaced(text, seg.src_start..seg.src_end);
            }
        }
    }

    /// Replaces each range (sorted, not overlapping) by new bytes; the new bytes map to the
    /// span of the text they replace.
    pub fn replace_all(&self, replacements: &[(Range<usize>, Vec<u8>)]) -> Mapped {
        let mut out = Mapped::new(self.file);
        let mut at = 0;
        for (range, bytes) in replacements {
            self.copy_into(&mut out, at..range.start);
            let span = self.span(range.clone());
            out.push_replaced(bytes, span.start..span.end);
            at = range.end;
        }
        self.copy_into(&mut out, at..self.text.len());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(src: &str) -> Mapped {
        let mut m = Mapped::new(FileId(0));
        m.push_exact(src.as_bytes(), 10);
        m
    }

    #[test]
    fn exact_text_maps_byte_for_byte() {
        let m = line("abc def");
        assert_eq!(m.span(4..7), Span::new(FileId(0), 14, 17));
    }

    #[test]
    fn joined_pieces_map_to_their_own_lines() {
        let mut m = Mapped::new(FileId(0));
        m.push_exact(b"ab", 0);
        m.push_exact(b"cd", 10);
        assert_eq!(m.span(1..3), Span::new(FileId(0), 1, 11));
        assert_eq!(m.span(2..4), Span::new(FileId(0), 10, 12));
    }

    #[test]
    fn replaced_text_maps_to_the_reference() {
        let m = line("x ${V} y");
        let r = m.replace_all(&[(2..6, b"value".to_vec())]);
        assert_eq!(r.text, b"x value y");
        assert_eq!(r.span(3..5), Span::new(FileId(0), 12, 16));
        assert_eq!(r.span(8..9), Span::new(FileId(0), 17, 18));
    }
}
