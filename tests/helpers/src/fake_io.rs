//! Readers and writers that behave like a socket on a bad day, for functions
//! that take `impl Read` or `impl Write`.
//!
//! A TCP socket may return fewer bytes than asked for from any `read`, take
//! fewer bytes than offered in any `write`, and fail a call with
//! `Interrupted` (a signal arrived) that only means "call again". Loopback
//! rarely does any of this on its own, so code that assumes one read is one
//! message passes against a real socket and breaks on a real network. These
//! fakes do it every time, with no timing involved.

use std::io::{self, Read, Write};

/// A reader that hands out `data` at most `chunk` bytes per `read`, then
/// reports end-of-file; optionally it first fails once with `Interrupted`.
pub struct ChunkedReader {
    data: Vec<u8>,
    position: usize,
    chunk: usize,
    interrupt_next: bool,
    reads: usize,
}

impl ChunkedReader {
    /// Hands out `data`, `chunk` bytes (at least 1) per call.
    pub fn new(data: impl Into<Vec<u8>>, chunk: usize) -> ChunkedReader {
        ChunkedReader {
            data: data.into(),
            position: 0,
            chunk: chunk.max(1),
            interrupt_next: false,
            reads: 0,
        }
    }

    /// Makes the first `read` fail with `ErrorKind::Interrupted`, as a read
    /// interrupted by a signal does: nothing was read, call again.
    pub fn interrupted_first(mut self) -> ChunkedReader {
        self.interrupt_next = true;
        self
    }

    /// How many bytes have not been read yet.
    pub fn unread(&self) -> usize {
        self.data.len() - self.position
    }

    /// How many times `read` was called, the interrupted call included.
    pub fn reads(&self) -> usize {
        self.reads
    }
}

impl Read for ChunkedReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        if std::mem::take(&mut self.interrupt_next) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buffer.len().min(self.chunk).min(self.unread());
        buffer[..n].copy_from_slice(&self.data[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// A writer that takes at most `chunk` bytes per `write` and keeps them;
/// optionally it first fails once with `Interrupted`.
pub struct ChunkedWriter {
    written: Vec<u8>,
    chunk: usize,
    interrupt_next: bool,
    writes: usize,
    flushes: usize,
}

impl ChunkedWriter {
    /// Takes `chunk` bytes (at least 1) per call.
    pub fn new(chunk: usize) -> ChunkedWriter {
        ChunkedWriter {
            written: Vec::new(),
            chunk: chunk.max(1),
            interrupt_next: false,
            writes: 0,
            flushes: 0,
        }
    }

    /// Makes the first `write` fail with `ErrorKind::Interrupted`: nothing
    /// was written, call again.
    pub fn interrupted_first(mut self) -> ChunkedWriter {
        self.interrupt_next = true;
        self
    }

    /// Every byte written so far, in order.
    pub fn written(&self) -> &[u8] {
        &self.written
    }

    /// How many times `write` was called, the interrupted call included.
    pub fn writes(&self) -> usize {
        self.writes
    }

    /// How many times `flush` was called.
    pub fn flushes(&self) -> usize {
        self.flushes
    }
}

impl Write for ChunkedWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        if std::mem::take(&mut self.interrupt_next) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = bytes.len().min(self.chunk);
        self.written.extend_from_slice(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_hands_out_chunks_after_one_interruption() {
        let mut reader = ChunkedReader::new(*b"hello", 2).interrupted_first();
        let mut buffer = [0; 16];
        let error = reader.read(&mut buffer).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Interrupted);
        assert_eq!(reader.read(&mut buffer).unwrap(), 2);
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"llo");
        assert_eq!(reader.unread(), 0);
    }

    #[test]
    fn the_writer_takes_chunks_after_one_interruption() {
        let mut writer = ChunkedWriter::new(3).interrupted_first();
        assert_eq!(
            writer.write(b"hello").unwrap_err().kind(),
            io::ErrorKind::Interrupted
        );
        assert_eq!(writer.write(b"hello").unwrap(), 3);
        writer.write_all(b"lo").unwrap();
        assert_eq!(writer.written(), b"hello");
        assert_eq!(writer.writes(), 3);
    }
}
