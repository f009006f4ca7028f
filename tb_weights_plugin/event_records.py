"""Event file records of full tensors: writing them fast, and indexing them by offset.

An event file is a sequence of TFRecords (`uint64 length`, `uint32 masked
CRC-32C of the length`, `length` bytes of a serialized `tensorflow.Event`,
`uint32 masked CRC-32C of the data`; the masking is TensorFlow's
`record_writer` / `crc32c::Mask`). A full-tensor record is an `Event` with
`wall_time`, `step` and one `Summary.Value` holding the tag, a rank-1
`DT_STRING` tensor of one `.npy` blob, and `SummaryMetadata` whose plugin is
`weights_tensors` (FORMAT.md).

`TensorRecordWriter` writes such records without building the protobuf in
memory: it frames the few header fields by hand and streams the array's
bytes straight from its buffer, with a hardware CRC-32C (`google-crc32c`).
`scan_tensor_records` reads them back by offset, from our files and from
TensorFlow-written event files alike, touching only each record's header
fields and metadata, never its tensor bytes.
"""

import functools
import io
import itertools
import logging
import os
import socket
import struct
import threading
import time

import google_crc32c
import numpy as np

from tb_weights_plugin import metadata

logger = logging.getLogger(__name__)
# Full-tensor files this package writes itself; TensorBoard's loaders read
# only files with "tfevents" in the name, so they never hold these tensors.
TENSOR_FILE_PREFIX = "events.out.weights_tensors."

_MASK_DELTA = 0xA282EAD8
_WIRE_VARINT, _WIRE_64BIT, _WIRE_LENGTH, _WIRE_32BIT = 0, 1, 2, 5
_DT_STRING = 7
_file_counter = itertools.count()
_file_counter_lock = threading.Lock()


def _mask(crc):
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def masked_crc32c(data):
    """TensorFlow's masked CRC-32C of `data`: `bytes` or a numpy uint8 array."""
    return _mask(google_crc32c.value(data))


def _varint(value):
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def _length_field(field, length):
    """The key and length prefix of a length-delimited field, without its contents."""
    return _key(field, _WIRE_LENGTH) + _varint(length)


def npy_header(array):
    """The `.npy` header bytes (format 1.0 or 2.0) of a C-contiguous array."""
    return _npy_header(array.dtype, array.shape)


@functools.lru_cache(maxsize=4096)
def _npy_header(dtype, shape):
    buffer = io.BytesIO()
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    try:
        np.lib.format.write_array_header_1_0(buffer, header)
    except ValueError:  # a header over 64 KiB needs format 2.0
        buffer = io.BytesIO()
        np.lib.format.write_array_header_2_0(buffer, header)
    return buffer.getvalue()


def tensor_record_parts(tag, step, wall_time, array, metadata_bytes):
    """The data of a full-tensor record as byte pieces, array bytes not copied.

    Args:
      tag: the series tag (`"<variable path>/tensor"`).
      step: int step.
      wall_time: float seconds since the epoch.
      array: a C-contiguous numpy array in a dtype `.npy` stores natively.
      metadata_bytes: the serialized `SummaryMetadata`.

    Returns:
      A list of bytes-like pieces whose concatenation is a serialized
      `tensorflow.Event`; the array's buffer is one piece, uncopied.
    """
    header = npy_header(array)
    payload = array.reshape(-1).view(np.uint8)
    blob_length = len(header) + payload.nbytes
    tag_bytes = tag.encode("utf-8")
    shape = _length_field(2, 2) + _key(1, _WIRE_VARINT) + _varint(1)  # one dim of size 1
    tensor_head = _key(1, _WIRE_VARINT) + _varint(_DT_STRING) + _length_field(2, len(shape)) + shape
    tensor_head += _length_field(8, blob_length)
    tensor_length = len(tensor_head) + blob_length
    value_head = _length_field(1, len(tag_bytes)) + tag_bytes + _length_field(8, tensor_length)
    value_tail = _length_field(9, len(metadata_bytes)) + metadata_bytes
    value_length = len(value_head) + tensor_length + len(value_tail)
    summary_head = _length_field(1, value_length)
    summary_length = len(summary_head) + value_length
    event_head = (
        _key(1, _WIRE_64BIT)
        + struct.pack("<d", wall_time)
        + _key(2, _WIRE_VARINT)
        + _varint(step)
        + _length_field(5, summary_length)
    )
    return [event_head + summary_head + value_head + tensor_head + header, payload, value_tail]


class TensorRecordWriter:
    """Appends full-tensor records to an event file of its own in `run_dir`.

    The file is named `events.out.weights_tensors.<time>.<host>.<pid>.<n>`
    and starts with a `file_version` record, as TensorFlow's writer does.
    Thread safe.

    Args:
      run_dir: the run's directory; created if missing.
    """

    def __init__(self, run_dir):
        os.makedirs(run_dir, exist_ok=True)
        with _file_counter_lock:
            counter = next(_file_counter)
        name = "%s%d.%s.%d.%d" % (
            TENSOR_FILE_PREFIX,
            int(time.time()),
            socket.gethostname(),
            os.getpid(),
            counter,
        )
        self.path = os.path.join(run_dir, name)
        self._file = open(self.path, "ab")
        self._lock = threading.Lock()
        version = _key(1, _WIRE_64BIT) + struct.pack("<d", time.time())
        version += _length_field(3, len(b"brain.Event:2")) + b"brain.Event:2"
        self._write_record([version])

    def _write_record(self, pieces):
        length = sum(memoryview(piece).nbytes for piece in pieces)
        length_bytes = struct.pack("<Q", length)
        crc = 0
        for piece in pieces:
            crc = google_crc32c.extend(crc, piece)
        with self._lock:
            self._file.write(length_bytes + struct.pack("<I", masked_crc32c(length_bytes)))
            for piece in pieces:
                self._file.write(piece)
            self._file.write(struct.pack("<I", _mask(crc)))

    def write(self, tag, step, wall_time, array, metadata_bytes):
        """Appends one full-tensor record (see `tensor_record_parts`)."""
        self._write_record(tensor_record_parts(tag, step, wall_time, array, metadata_bytes))

    def flush(self):
        with self._lock:
            self._file.flush()

    def close(self):
        with self._lock:
            self._file.close()

    def __del__(self):
        file = getattr(self, "_file", None)
        if file is not None and not file.closed:
            file.close()


class RecordCorruptError(IOError):
    """A record whose length or data does not match its CRC."""


class _RecordReader:
    """Reads fields of one record's data by absolute file offset, caching a prefix."""

    _PREFIX = 1024

    def __init__(self, file, start, length):
        self._file, self.start, self.end = file, start, start + length
        file.seek(start)
        self._prefix = file.read(min(length, self._PREFIX))

    def bytes_at(self, position, count):
        offset = position - self.start
        if offset + count <= len(self._prefix):
            return self._prefix[offset : offset + count]
        self._file.seek(position)
        return self._file.read(count)

    def varint(self, position):
        value, shift = 0, 0
        while True:
            byte = self.bytes_at(position, 1)
            if not byte:
                raise RecordCorruptError("truncated varint")
            position += 1
            value |= (byte[0] & 0x7F) << shift
            if byte[0] < 0x80:
                return value, position
            shift += 7

    def fields(self, start, end):
        """Yields `(field number, wire type, value or (offset, length), next position)`."""
        position = start
        while position < end:
            key, position = self.varint(position)
            field, wire_type = key >> 3, key & 7
            if wire_type == _WIRE_VARINT:
                value, position = self.varint(position)
                yield field, wire_type, value
            elif wire_type == _WIRE_64BIT:
                yield field, wire_type, self.bytes_at(position, 8)
                position += 8
            elif wire_type == _WIRE_LENGTH:
                length, position = self.varint(position)
                yield field, wire_type, (position, length)
                position += length
            elif wire_type == _WIRE_32BIT:
                position += 4
            else:
                raise RecordCorruptError("unknown wire type %d" % wire_type)


class TensorRecord:
    """Where one full tensor lies in an event file, and what its metadata says.

    Attributes:
      path: the event file.
      record_offset, record_length: the record's data (after the 12-byte
        header) in bytes, for the CRC check.
      blob_offset, blob_length: the `.npy` blob, in bytes.
      step, wall_time: int step and float seconds.
      tag: the series tag.
      content: the parsed plugin content (`metadata.parse_plugin_content`).
    """

    __slots__ = (
        "path",
        "record_offset",
        "record_length",
        "blob_offset",
        "blob_length",
        "step",
        "wall_time",
        "tag",
        "content",
    )

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)

    def read_blob(self):
        """Reads the `.npy` blob, checking the record's CRC.

        Returns:
          `bytes` of the blob.

        Raises:
          RecordCorruptError: the record's data does not match its CRC.
        """
        with open(self.path, "rb") as file:
            file.seek(self.record_offset)
            data = file.read(self.record_length + 4)
        view = memoryview(data)
        # google_crc32c takes bytes or numpy arrays (not memoryviews), uncopied.
        record = np.frombuffer(data, dtype=np.uint8, count=max(0, len(data) - 4))
        if len(data) != self.record_length + 4 or masked_crc32c(record) != struct.unpack(
            "<I", data[-4:]
        )[0]:
            raise RecordCorruptError("Record at byte %d of %s fails its CRC" % (self.record_offset, self.path))
        start = self.blob_offset - self.record_offset
        return bytes(view[start : start + self.blob_length])


def _tensor_record(reader, path):
    """Parses one record's Event; returns a TensorRecord if it is a full tensor of ours."""
    wall_time, step, summary = 0.0, 0, None
    for field, _, value in reader.fields(reader.start, reader.end):
        if field == 1:
            wall_time = struct.unpack("<d", value)[0]
        elif field == 2:
            step = value - (1 << 64) if value >= 1 << 63 else value
        elif field == 5:
            summary = value
    if summary is None:
        return None
    for field, _, (value_start, value_length) in reader.fields(summary[0], sum(summary)):
        if field != 1:
            continue
        tag = tensor = metadata_span = None
        for value_field, _, span in reader.fields(value_start, value_start + value_length):
            if value_field == 1:
                tag = reader.bytes_at(*span).decode("utf-8", "replace")
                if not tag.endswith("/" + metadata.KIND_TENSOR):
                    break
            elif value_field == 8:
                tensor = span
            elif value_field == 9:
                metadata_span = span
        if tag is None or tensor is None or metadata_span is None:
            continue
        summary_metadata = metadata.parse_summary_metadata(reader.bytes_at(*metadata_span))
        if summary_metadata is None or summary_metadata.plugin_data.plugin_name != metadata.TENSORS_PLUGIN_NAME:
            continue
        try:
            content = metadata.parse_plugin_content(summary_metadata.plugin_data.content)
        except metadata.PluginContentError as error:
            logger.warning("Skipping record of %r in %s: %s", tag, path, error)
            continue
        blob = None
        for tensor_field, _, span in reader.fields(tensor[0], sum(tensor)):
            if tensor_field == 8:
                blob = span
        if blob is None:
            continue
        return TensorRecord(
            path=path,
            record_offset=reader.start,
            record_length=reader.end - reader.start,
            blob_offset=blob[0],
            blob_length=blob[1],
            step=step,
            wall_time=wall_time,
            tag=tag,
            content=content,
        )
    return None


def scan_tensor_records(path, offset=0):
    """Finds the full-tensor records of an event file from byte `offset` on.

    Reads each record's 12-byte header, its first KiB and its metadata; the
    tensor bytes are skipped. A record not yet completely written ends the
    scan, so a growing file can be scanned again from the returned offset.

    Args:
      path: an event file (ours or TensorFlow's).
      offset: where to start, a record boundary.

    Returns:
      `(records, next_offset, error)`: the `TensorRecord`s found, in file
      order; the offset of the first record not read; and None, or a
      `RecordCorruptError` when a record header fails its CRC (the file is not
      an event file, or is damaged there: nothing after it can be framed).
      A record whose header is sound but whose body cannot be parsed is
      skipped with a warning, as are records of a newer format version.
    """
    records = []
    size = os.path.getsize(path)
    with open(path, "rb") as file:
        while offset + 12 <= size:
            file.seek(offset)
            header = file.read(12)
            length = struct.unpack("<Q", header[:8])[0]
            if masked_crc32c(header[:8]) != struct.unpack("<I", header[8:])[0]:
                return records, offset, RecordCorruptError(
                    "Record header at byte %d of %s fails its CRC" % (offset, path)
                )
            if offset + 12 + length + 4 > size:
                break
            try:
                record = _tensor_record(_RecordReader(file, offset + 12, length), path)
            except (RecordCorruptError, struct.error, ValueError, TypeError) as error:
                logger.warning("Skipping a damaged record at byte %d of %s: %s", offset, path, error)
                record = None
            if record is not None:
                records.append(record)
            offset += 12 + length + 4
    return records, offset, None
