//! CSV reading and writing shared by every `rapport match` mode.
//!
//! [`TableReader`] reads from any [`Read`]: it accepts a UTF-8 byte-order mark and
//! CRLF line endings, checks that the header is exactly the expected column list,
//! and yields [`Row`]s that know their 1-based line number. The typed accessors
//! ([`Row::id`], [`Row::capacity`], [`Row::score`]) return a [`TableError`] that
//! names the file, the line and the field, so a person can fix the spreadsheet.
//! [`TableWriter`] writes a header and rows, quoting where CSV needs it.
//!
//! Reading is streaming: one record buffer is reused, so memory does not grow
//! with the file.

use std::fmt;
use std::io::{Read, Write};

use crate::fixed::Score;

/// A malformed input file: which file, which line, which field, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    /// The file's name as the person knows it (for example `edges.csv`).
    pub file: String,
    /// The 1-based line number.
    pub line: u64,
    /// The column name, when the problem is in one field.
    pub field: Option<String>,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl TableError {
    /// An error about a whole line.
    pub fn line(file: &str, line: u64, message: impl Into<String>) -> TableError {
        TableError {
            file: file.to_string(),
            line,
            field: None,
            message: message.into(),
        }
    }

    /// An error about one field of a line.
    pub fn field(file: &str, line: u64, field: &str, message: impl Into<String>) -> TableError {
        TableError {
            file: file.to_string(),
            line,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(
                f,
                "{} line {}, field \"{}\": {}",
                self.file, self.line, field, self.message
            ),
            None => write!(f, "{} line {}: {}", self.file, self.line, self.message),
        }
    }
}

impl std::error::Error for TableError {}

/// Streams the records of one CSV file after checking its header.
pub struct TableReader<R: Read> {
    file: String,
    columns: Vec<String>,
    reader: csv::Reader<CrlfToLf<R>>,
    record: csv::StringRecord,
}

impl<R: Read> TableReader<R> {
    /// Opens `reader`, named `file` in errors, and checks that the header is exactly
    /// `columns` (case-sensitive, in order, surrounding spaces ignored).
    pub fn new(file: &str, reader: R, columns: &[&str]) -> Result<TableReader<R>, TableError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(CrlfToLf::new(reader));
        let mut record = csv::StringRecord::new();
        let expected = columns.join(",");
        let found = reader
            .read_record(&mut record)
            .map_err(|e| csv_error(file, 1, e))?;
        if !found {
            return Err(TableError::line(
                file,
                1,
                format!("the file is empty; the first line must be the header `{expected}`"),
            ));
        }
        let header: Vec<&str> = record.iter().map(|h| h.trim()).collect();
        if header != columns {
            return Err(TableError::line(
                file,
                1,
                format!(
                    "missing or wrong header: expected `{expected}`, found `{}`",
                    header.join(",")
                ),
            ));
        }
        Ok(TableReader {
            file: file.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            reader,
            record,
        })
    }

    /// The next data row, or `None` at the end of the file. Blank lines are skipped.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, TableError> {
        loop {
            let found = match self.reader.read_record(&mut self.record) {
                Ok(found) => found,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let line = self.reader.get_ref().original_line(line);
                    return Err(csv_error(&self.file, line, e));
                }
            };
            if !found {
                return Ok(None);
            }
            let line = self.record.position().map_or(0, |p| p.line());
            let line = self.reader.get_ref().original_line(line);
            if self.record.len() == 1 && self.record[0].trim().is_empty() {
                continue;
            }
            if self.record.len() != self.columns.len() {
                return Err(TableError::line(
                    &self.file,
                    line,
                    format!(
                        "expected {} fields ({}), found {}",
                        self.columns.len(),
                        self.columns.join(","),
                        self.record.len()
                    ),
                ));
            }
            return Ok(Some(Row {
                file: &self.file,
                columns: &self.columns,
                line,
                record: &self.record,
            }));
        }
    }
}

/// Turns CRLF into LF and drops blank lines (outside quotes) while streaming,
/// remembering where it dropped them. The csv crate accepts both, but its line
/// numbers lag behind after a CR or a blank line, and errors must name the right line.
struct CrlfToLf<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    pending_cr: bool,
    eof: bool,
    in_quotes: bool,
    at_line_start: bool,
    /// Current line of the output (1-based).
    out_line: u64,
    /// `(output line, blank lines dropped so far)`, one entry per drop.
    drops: Vec<(u64, u64)>,
}

impl<R> CrlfToLf<R> {
    /// The line in the original input of output line `line`.
    fn original_line(&self, line: u64) -> u64 {
        let k = self.drops.partition_point(|&(at, _)| at <= line);
        line + if k == 0 { 0 } else { self.drops[k - 1].1 }
    }
}

impl<R: Read> CrlfToLf<R> {
    fn new(inner: R) -> CrlfToLf<R> {
        CrlfToLf {
            inner,
            buf: vec![0; 1 << 16],
            pos: 0,
            len: 0,
            pending_cr: false,
            eof: false,
            in_quotes: false,
            at_line_start: true,
            out_line: 1,
            drops: Vec::new(),
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut written = 0;
        while written < out.len() {
            if self.pos == self.len {
                if !self.eof {
                    let n = self.inner.read(&mut self.buf)?;
                    self.pos = 0;
                    self.len = n;
                    self.eof = n == 0;
                }
                if self.eof {
                    if self.pending_cr {
                        self.pending_cr = false;
                        out[written] = b'\r';
                        written += 1;
                    }
                    break;
                }
                continue;
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            if self.pending_cr {
                self.pending_cr = false;
                if b != b'\n' {
                    // A lone CR stays; the byte after it is handled on the next turn.
                    out[written] = b'\r';
                    written += 1;
                    self.pos -= 1;
                    continue;
                }
            } else if b == b'\r' {
                self.pending_cr = true;
                continue;
            }
            if b == b'"' {
                self.in_quotes = !self.in_quotes;
            } else if b == b'\n' && !self.in_quotes {
                if self.at_line_start {
                    let dropped = self.drops.last().map_or(0, |d| d.1) + 1;
                    self.drops.push((self.out_line, dropped));
                    continue;
                }
                self.out_line += 1;
                self.at_line_start = true;
                out[written] = b;
                written += 1;
                continue;
            }
            self.at_line_start = false;
            out[written] = b;
            written += 1;
        }
        Ok(written)
    }
}

fn csv_error(file: &str, line: u64, e: csv::Error) -> TableError {
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "the line is not valid UTF-8; save the file as UTF-8".to_string()
        }
        csv::ErrorKind::Io(io) => format!("could not read the file: {io}"),
        _ => format!("malformed CSV: {e}"),
    };
    TableError::line(file, line.max(1), message)
}

/// One data row of a [`TableReader`], with typed accessors whose errors name the field.
pub struct Row<'a> {
    file: &'a str,
    columns: &'a [String],
    line: u64,
    record: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The 1-based line number where this row starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The raw text of column `col` (0-based, in header order).
    pub fn text(&self, col: usize) -> &'a str {
        self.record.get(col).unwrap_or("")
    }

    /// An error about column `col` of this row.
    pub fn error(&self, col: usize, message: impl Into<String>) -> TableError {
        TableError::field(self.file, self.line, &self.columns[col], message)
    }

    /// An error about this whole row.
    pub fn line_error(&self, message: impl Into<String>) -> TableError {
        TableError::line(self.file, self.line, message)
    }

    /// An id: an exact, case-sensitive, non-empty string (kept as written).
    pub fn id(&self, col: usize) -> Result<&'a str, TableError> {
        let text = self.text(col);
        if text.trim().is_empty() {
            return Err(self.error(col, "an id is required"));
        }
        Ok(text)
    }

    /// A capacity: a non-negative integer.
    pub fn capacity(&self, col: usize) -> Result<u32, TableError> {
        parse_capacity(self.text(col)).map_err(|m| self.error(col, m))
    }

    /// A score: an integer or a decimal with at most 6 places, parsed exactly.
    pub fn score(&self, col: usize) -> Result<Score, TableError> {
        Score::parse(self.text(col)).map_err(|e| self.error(col, e.to_string()))
    }
}

/// Parses a capacity, explaining what is wrong.
pub fn parse_capacity(text: &str) -> Result<u32, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("a capacity is required (a whole number, 0 or more)".to_string());
    }
    let digits = t.strip_prefix('+').unwrap_or(t);
    if let Some(rest) = digits.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("capacity must be 0 or more, found `{t}`"));
        }
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "capacity must be a whole number, 0 or more, found `{t}`"
        ));
    }
    digits
        .parse::<u32>()
        .map_err(|_| format!("capacity `{t}` is too large; the largest is {}", u32::MAX))
}

/// Writes a CSV table: the header first, then rows, quoting where CSV needs it.
pub struct TableWriter<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> TableWriter<W> {
    /// Starts a table on `writer` with the given header.
    pub fn new(writer: W, columns: &[&str]) -> std::io::Result<TableWriter<W>> {
        let mut writer = csv::WriterBuilder::new().from_writer(writer);
        writer.write_record(columns).map_err(into_io)?;
        Ok(TableWriter { writer })
    }

    /// Continues a table on `writer` whose header was written before: rows
    /// only, quoted exactly as [`TableWriter::new`]'s.
    pub fn rows_only(writer: W) -> TableWriter<W> {
        TableWriter {
            writer: csv::WriterBuilder::new().from_writer(writer),
        }
    }

    /// Writes one row.
    pub fn row<I, T>(&mut self, fields: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(fields).map_err(into_io)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

fn into_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Result<Vec<(u64, String, String, i64)>, TableError> {
        let mut r = TableReader::new("edges.csv", text, &["mentee", "mentor", "score"])?;
        let mut out = Vec::new();
        while let Some(row) = r.next_row()? {
            out.push((
                row.line(),
                row.id(0)?.to_string(),
                row.id(1)?.to_string(),
                row.score(2)?.micros(),
            ));
        }
        Ok(out)
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let got = rows(b"\xEF\xBB\xBFmentee,mentor,score\r\na,B,1.5\r\n\r\nc,d,-2\r\n").unwrap();
        let lf = rows(b"mentee,mentor,score\na,B,1.5\n\nc,d,-2").unwrap();
        assert_eq!(got, lf);
        assert_eq!(
            got,
            vec![
                (2, "a".into(), "B".into(), 1_500_000),
                (4, "c".into(), "d".into(), -2_000_000)
            ]
        );
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = rows(b"mentee,mentor,score\na,b,1\na,b,1e5\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.field.as_deref(), Some("score"));
        assert!(
            e.to_string()
                .starts_with("edges.csv line 3, field \"score\": "),
            "{e}"
        );

        let e = rows(b"mentee,mentor,score\n,b,1\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("mentee")));

        let e = rows(b"a,b,1\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, None));
        assert!(e.message.contains("header"));

        let e = rows(b"mentee,mentor,score\r\n\r\n\r\na,b,x\r\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (4, Some("score")));

        let e = rows(b"mentee,mentor,score\n\"a\n\nb\",b,1\nc,d,?\n").unwrap_err();
        assert_eq!(e.line, 5);

        let e = rows(b"").unwrap_err();
        assert!(e.message.contains("empty"));

        let e = rows(b"mentee,mentor,score\na,b\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("expected 3 fields"));
    }

    #[test]
    fn capacities_are_non_negative_integers() {
        assert_eq!(parse_capacity("0"), Ok(0));
        assert_eq!(parse_capacity(" 12 "), Ok(12));
        assert!(parse_capacity("-1").unwrap_err().contains("0 or more"));
        assert!(parse_capacity("1.5").is_err());
        assert!(parse_capacity("").is_err());
        assert!(parse_capacity("99999999999")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn writer_quotes_when_needed() {
        let mut w = TableWriter::new(Vec::new(), &["mentee", "mentor", "score"]).unwrap();
        w.row(["a,b", "c", "1.5"]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(out, "mentee,mentor,score\n\"a,b\",c,1.5\n");
    }
}
