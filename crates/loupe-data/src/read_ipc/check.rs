//! A pass over an Arrow IPC file's message metadata before arrow-ipc decodes it.
//!
//! arrow-ipc trusts the buffer offsets in each message and slices its body with them, which
//! panics when a damaged file points outside the body; and it allocates whatever a compressed
//! buffer says its uncompressed size is, which can abort the process. This pass reads only the
//! metadata (flatbuffers, verified by arrow-ipc's own parsers) and the 8-byte size prefix of
//! compressed buffers, and refuses such files with a message instead. Buffers must also start
//! on the 8-byte boundaries the format prescribes, since misaligned offsets trip assertions in
//! Arrow's array validation.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use arrow_ipc::{CompressionType, Message, MessageHeader, root_as_footer, root_as_message};

/// The IPC file format's magic, at both ends of the file.
const MAGIC: &[u8; 6] = b"ARROW1";
/// Marks a message length in the current stream encoding.
const CONTINUATION: [u8; 4] = [0xff; 4];

/// Checks every record batch and dictionary message of an IPC file.
pub(crate) fn check_file(file: &mut File) -> Result<(), String> {
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    if len < 18 {
        return Err(format!(
            "the file is only {len} bytes, too short for its footer"
        ));
    }
    let mut tail = [0_u8; 10];
    read_at(file, len - 10, &mut tail)?;
    if &tail[4..] != MAGIC {
        return Err("the file does not end with the Arrow magic (it may be cut short)".to_owned());
    }
    let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer_len > len - 18 {
        return Err(format!("its footer claims {footer_len} bytes"));
    }
    let mut footer = vec![0_u8; footer_len as usize];
    read_at(file, len - 10 - footer_len, &mut footer)?;
    let footer = root_as_footer(&footer).map_err(|e| format!("its footer is damaged ({e})"))?;
    let blocks = footer
        .dictionaries()
        .into_iter()
        .flatten()
        .chain(footer.recordBatches().into_iter().flatten());
    for block in blocks {
        let (Ok(offset), Ok(meta_len), Ok(body_len)) = (
            u64::try_from(block.offset()),
            u64::try_from(block.metaDataLength()),
            u64::try_from(block.bodyLength()),
        ) else {
            return Err("a record batch has a negative offset or length".to_owned());
        };
        let end = offset
            .checked_add(meta_len)
            .and_then(|e| e.checked_add(body_len));
        if end.is_none_or(|end| end > len) {
            return Err("a record batch lies beyond the end of the file".to_owned());
        }
        let mut meta = vec![0_u8; meta_len as usize];
        read_at(file, offset, &mut meta)?;
        let flatbuffer = strip_length_prefix(&meta)?;
        let message =
            root_as_message(flatbuffer).map_err(|e| format!("a message is damaged ({e})"))?;
        check_message(&message, body_len, file, offset + meta_len)?;
    }
    Ok(())
}

/// Checks every message of an IPC stream.
pub(crate) fn check_stream(file: &mut File) -> Result<(), String> {
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut position = 0_u64;
    loop {
        let mut word = [0_u8; 4];
        if position + 4 > len {
            return Ok(()); // End of stream without the end-of-stream marker: allowed.
        }
        read_at(file, position, &mut word)?;
        position += 4;
        if word == CONTINUATION {
            if position + 4 > len {
                return Err("the stream ends inside a message length".to_owned());
            }
            read_at(file, position, &mut word)?;
            position += 4;
        }
        let meta_len = u64::from(u32::from_le_bytes(word));
        if meta_len == 0 {
            return Ok(());
        }
        if position + meta_len > len {
            return Err("the stream ends inside a message".to_owned());
        }
        let mut meta = vec![0_u8; meta_len as usize];
        read_at(file, position, &mut meta)?;
        position += meta_len;
        let message = root_as_message(&meta).map_err(|e| format!("a message is damaged ({e})"))?;
        let body_len = u64::try_from(message.bodyLength())
            .map_err(|_| "a message has a negative body length".to_owned())?;
        if position + body_len > len {
            return Err("the stream ends inside a message body".to_owned());
        }
        check_message(&message, body_len, file, position)?;
        position += body_len;
    }
}

/// Checks one message's buffers against its body, which starts at `body_start` in `file`.
fn check_message(
    message: &Message<'_>,
    body_len: u64,
    file: &mut File,
    body_start: u64,
) -> Result<(), String> {
    let batch = match message.header_type() {
        MessageHeader::RecordBatch => message.header_as_record_batch(),
        MessageHeader::DictionaryBatch => {
            message.header_as_dictionary_batch().and_then(|d| d.data())
        }
        _ => None,
    };
    let Some(batch) = batch else {
        return Ok(());
    };
    let codec = batch.compression().map(|c| c.codec());
    for buffer in batch.buffers().into_iter().flatten() {
        let (Ok(offset), Ok(length)) = (
            u64::try_from(buffer.offset()),
            u64::try_from(buffer.length()),
        ) else {
            return Err("a buffer has a negative offset or length".to_owned());
        };
        if offset.checked_add(length).is_none_or(|end| end > body_len) {
            return Err("a buffer lies outside its message".to_owned());
        }
        // The format pads every buffer to 8 bytes; arrow-ipc's validation asserts alignment.
        if !offset.is_multiple_of(8) {
            return Err("a buffer is not aligned to 8 bytes".to_owned());
        }
        if let Some(codec) = codec.filter(|_| length >= 8) {
            let mut prefix = [0_u8; 8];
            read_at(file, body_start + offset, &mut prefix)?;
            let size = i64::from_le_bytes(prefix);
            if size != -1 && (size < 0 || size.unsigned_abs() > max_uncompressed(length, codec)) {
                return Err(format!(
                    "a compressed buffer of {length} bytes claims to hold {size}"
                ));
            }
        }
    }
    Ok(())
}

/// The most a compressed buffer of `length` bytes can legitimately expand to: lz4 frames
/// compress at most about 255:1, zstd (whose blocks hold 128 KiB) about 32 000:1.
fn max_uncompressed(length: u64, codec: CompressionType) -> u64 {
    let ratio = if codec == CompressionType::ZSTD {
        1 << 16
    } else {
        1 << 10
    };
    length.saturating_mul(ratio).saturating_add(1 << 20)
}

/// The message flatbuffer inside a block's metadata, after its length prefix.
fn strip_length_prefix(meta: &[u8]) -> Result<&[u8], String> {
    let short = || "a message is cut short".to_owned();
    let (len_at, start) = if meta.starts_with(&CONTINUATION) {
        (4, 8)
    } else {
        (0, 4)
    };
    let word = meta.get(len_at..len_at + 4).ok_or_else(short)?;
    let len = u32::from_le_bytes([word[0], word[1], word[2], word[3]]) as usize;
    meta.get(start..start + len).ok_or_else(short)
}

fn read_at(file: &mut File, offset: u64, buf: &mut [u8]) -> Result<(), String> {
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(buf))
        .map_err(|e| format!("it could not be read ({e})"))
}
