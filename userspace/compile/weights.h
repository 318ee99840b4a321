/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Weight files recognised by what they contain, never by their name: a
 * model saved as "notes.txt" is still found. Every check looks only at the
 * first MG_WEIGHT_HEAD_BYTES of a file and its size.
 *
 * The checks, and what each trades:
 *
 * safetensors  An 8-byte little-endian header length N with
 *		2 <= N <= min(100 MiB, size - 8), then the JSON header: '{'
 *		(after optional spaces) and, as its next non-blank byte, '"' or
 *		'}', all inside N and inside the head. Text never matches (its
 *		first 8 bytes read as a length above 2^61). A binary file whose
 *		first bytes happen to form a small length followed by '{"' does:
 *		rare, accepted. A header padded with more blanks than the head
 *		holds is missed.
 * gguf		"GGUF" and a version 1..3 (little-endian, or big-endian as
 *		written for big-endian hosts). The older llama.cpp formats count
 *		too: magic "ggml", "ggmf", "ggjt" or "ggla" stored as a
 *		little-endian uint32 (bytes "lmgg", "fmgg", "tjgg", "algg") or in
 *		either byte order; "ggmf", "ggjt" and "ggla" then need a version
 *		1..3, the unversioned "ggml" a vocabulary size 1..2^24. The
 *		number after the magic is what keeps text starting with those
 *		letters out.
 * pytorch-zip	A ZIP local file header ("PK\3\4") whose first entry's name
 *		(length at offset 26, name at 30) contains "data.pkl",
 *		"archive/" or ".data/version", as torch.save and torch.jit.save
 *		write them. Any other ZIP (documents, .npz, .keras archives) is
 *		not weights; a PyTorch archive rewritten with another first entry
 *		is missed.
 * pickle	A protocol 2..5 pickle ("\x80" then the protocol byte) that
 *		also holds, within the head, the legacy torch.save magic number
 *		0x1950a86a20f9469cfc6c as a pickled long (LONG1, 10 bytes) or one
 *		of "torch", "_rebuild_tensor", "collections\nOrderedDict". A
 *		pickle of other data is not weights; a pickle that mentions torch
 *		only beyond the head, or a protocol 0/1 pickle, is missed. Any
 *		pickle naming "torch" early, or an OrderedDict pickled by class
 *		reference, is taken for weights: the guard errs towards
 *		recognising a pickle, which can run code when loaded.
 * hdf5		The signature "\x89HDF\r\n\x1a\n" at offset 0, 512, 1024 or
 *		2048 (where HDF5 puts its superblock after a user block). A user
 *		block of 4096 bytes or more hides the signature from the head.
 * numpy	"\x93NUMPY", major version 1..3, and a header that starts with
 *		'{'. An .npz archive is a ZIP and is not recognised.
 * onnx		A protobuf ModelProto as ONNX writers serialise it, fields in
 *		ascending order: first ir_version (tag 0x08) with a one-byte
 *		value 1..20, then only ModelProto fields with their proper wire
 *		types, every length inside the file, until either producer_name
 *		(tag 0x12) holding 1..256 printable ASCII bytes or graph (tag
 *		0x3a) appears. Other protobuf messages whose first fields look
 *		the same match; a model written with fields out of order, or
 *		whose head ends before either field, is missed.
 */
#ifndef MGUARD_WEIGHTS_H
#define MGUARD_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

enum mg_weight_format {
	MG_WF_NONE = 0,
	MG_WF_SAFETENSORS,
	MG_WF_GGUF,
	MG_WF_PYTORCH_ZIP,
	MG_WF_PICKLE,
	MG_WF_HDF5,
	MG_WF_NUMPY,
	MG_WF_ONNX,
	MG_WF__COUNT
};

/* How much of a file the recogniser needs. */
#define MG_WEIGHT_HEAD_BYTES 4096

/*
 * The format of a file from its first @len bytes @head (at most
 * MG_WEIGHT_HEAD_BYTES are looked at) and its size in bytes. @len should be
 * min(MG_WEIGHT_HEAD_BYTES, @file_size); a head cut shorter makes the
 * checks that need more bytes fail. Pure: no I/O.
 */
enum mg_weight_format mg_weight_format_of(const uint8_t *head, size_t len, uint64_t file_size);

/*
 * The format of the regular file open at @fd, read with pread() from offset
 * 0 (the file offset is not moved). -EISDIR for a directory, -EINVAL for
 * anything else that is not a regular file, or a read error.
 */
int mg_weight_format_fd(int fd, enum mg_weight_format *ret);

/*
 * The same for @path, following symbolic links. A FIFO is opened without
 * blocking and then refused with -EINVAL.
 */
int mg_weight_format_file(const char *path, enum mg_weight_format *ret);

/*
 * "safetensors", "gguf", "pytorch-zip", "pickle", "hdf5", "numpy", "onnx",
 * "none" (also for values out of range).
 */
const char *mg_weight_format_name(enum mg_weight_format f);

/*
 * Called by mg_weights_scan for each regular file, with its format, or with
 * MG_WF_NONE and @err a negative errno when it could not be read (then
 * @st is what the walk saw; zeroed when not even that was possible). Also
 * called, with @err set, for a directory the walk could not read, since the
 * files in it go unseen: S_ISDIR(@st->st_mode) tells those apart. A
 * non-zero return stops the walk.
 */
typedef int (*mg_weights_scan_cb)(const char *path, const struct stat *st, enum mg_weight_format f,
				  int err, void *ctx);

/*
 * Walk the tree at @dir and call @cb for every regular file in it,
 * MG_WF_NONE included, so the caller decides. Symbolic links below @dir
 * are not followed and not reported, nor are devices, FIFOs and sockets;
 * @dir itself is followed when it is a link, and the paths then start with
 * its resolved target. @st comes from fstat() of the descriptor the head
 * was read from, so it describes the file whose content was judged.
 * Returns 0 when the walk finished, @cb's non-zero return when it stopped
 * the walk, or a negative errno when @dir cannot be walked at all.
 */
int mg_weights_scan(const char *dir, mg_weights_scan_cb cb, void *ctx);

#endif /* MGUARD_WEIGHTS_H */
