// SPDX-License-Identifier: GPL-2.0
/*
 * Merkle trees in the shape and hashing of RFC 6962, section 2.1:
 *
 *	leaf node  = SHA-256(0x00 || value)
 *	inner node = SHA-256(0x01 || left || right)
 *
 * and the tree over n leaves splits at the largest power of two below n.
 * The same tree is built bottom up, level by level, pairing neighbours and
 * carrying a level's odd last node up unchanged; that is how it is computed
 * here, without recursion and in a caller's scratch space.
 */
#include "merkle.h"

static int vtpm_merkle_leaf(const u8 *value, u8 *out)
{
	static const u8 prefix[1];	/* 0x00 */
	const struct vtpm_iov iov[] = {
		{ prefix, 1 },
		{ value, VTPM_MERKLE_HASH_SIZE },
	};

	return vtpm_plat_hashv(VTPM_ALG_SHA256, iov, ARRAY_SIZE(iov), out);
}

static int vtpm_merkle_node(const u8 *left, const u8 *right, u8 *out)
{
	static const u8 prefix = 0x01;
	const struct vtpm_iov iov[] = {
		{ &prefix, 1 },
		{ left, VTPM_MERKLE_HASH_SIZE },
		{ right, VTPM_MERKLE_HASH_SIZE },
	};

	return vtpm_plat_hashv(VTPM_ALG_SHA256, iov, ARRAY_SIZE(iov), out);
}

/* One level up, in place: @count nodes at @nodes become (count + 1) / 2. */
static int vtpm_merkle_level(u8 *nodes, u32 count)
{
	u32 i;
	int ret;

	for (i = 0; i + 1 < count; i += 2) {
		ret = vtpm_merkle_node(nodes + i * VTPM_MERKLE_HASH_SIZE,
				       nodes + (i + 1) * VTPM_MERKLE_HASH_SIZE,
				       nodes + (i / 2) * VTPM_MERKLE_HASH_SIZE);
		if (ret)
			return ret;
	}
	if (count & 1)
		memmove(nodes + (count / 2) * VTPM_MERKLE_HASH_SIZE,
			nodes + (count - 1) * VTPM_MERKLE_HASH_SIZE,
			VTPM_MERKLE_HASH_SIZE);
	return 0;
}

/*
 * Walk the tree of @n @values up to its root (in @scratch); with @path,
 * collect the inclusion proof of leaf @index on the way.
 */
static int vtpm_merkle_walk(const u8 *values, u32 n, u32 index, u8 *scratch,
			    u8 *path, u32 *path_len)
{
	u32 count = n, i;
	int ret;

	if (!n || n > VTPM_MERKLE_MAX_LEAVES || (path && index >= n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		ret = vtpm_merkle_leaf(values + i * VTPM_MERKLE_HASH_SIZE,
				       scratch + i * VTPM_MERKLE_HASH_SIZE);
		if (ret)
			return ret;
	}
	if (path)
		*path_len = 0;
	while (count > 1) {
		u32 sibling = index ^ 1;

		if (path && sibling < count) {
			memcpy(path + *path_len * VTPM_MERKLE_HASH_SIZE,
			       scratch + sibling * VTPM_MERKLE_HASH_SIZE,
			       VTPM_MERKLE_HASH_SIZE);
			(*path_len)++;
		}
		ret = vtpm_merkle_level(scratch, count);
		if (ret)
			return ret;
		index /= 2;
		count = (count + 1) / 2;
	}
	return 0;
}

/**
 * vtpm_merkle_root() - the root of the tree over some values
 * @values:  @n values of VTPM_MERKLE_HASH_SIZE bytes, contiguous
 * @n:	     1..VTPM_MERKLE_MAX_LEAVES
 * @scratch: @n * VTPM_MERKLE_HASH_SIZE bytes of work space
 * @root:    out: the root (VTPM_MERKLE_HASH_SIZE bytes)
 *
 * Return: 0, -EINVAL for a bad @n, or the hash's error.
 */
int vtpm_merkle_root(const u8 *values, u32 n, u8 *scratch, u8 *root)
{
	int ret = vtpm_merkle_walk(values, n, 0, scratch, NULL, NULL);

	if (!ret)
		memcpy(root, scratch, VTPM_MERKLE_HASH_SIZE);
	return ret;
}

/**
 * vtpm_merkle_proof() - the inclusion proof of one value
 * @values:   @n values, contiguous
 * @n:	      1..VTPM_MERKLE_MAX_LEAVES
 * @index:    the value's position, below @n
 * @scratch:  @n * VTPM_MERKLE_HASH_SIZE bytes of work space
 * @path:     out: the proof, VTPM_MERKLE_MAX_DEPTH * VTPM_MERKLE_HASH_SIZE
 *	      bytes of room: the siblings from the leaf up
 * @path_len: out: the number of nodes in @path
 *
 * Return: 0, -EINVAL, or the hash's error.
 */
int vtpm_merkle_proof(const u8 *values, u32 n, u32 index, u8 *scratch,
		      u8 *path, u32 *path_len)
{
	return vtpm_merkle_walk(values, n, index, scratch, path, path_len);
}

/**
 * vtpm_merkle_verify() - check an inclusion proof
 * @value:    the value
 * @index:    its claimed position
 * @n:	      the claimed number of values in the tree
 * @path:     the proof
 * @path_len: its number of nodes
 * @root:     the root it must lead to
 *
 * Return: 0 when the proof leads from @value at @index of @n to @root,
 * -EBADMSG when it leads elsewhere, -EINVAL when it cannot be a proof for
 * that position (wrong length, @index not below @n), or the hash's error.
 */
int vtpm_merkle_verify(const u8 *value, u32 index, u32 n, const u8 *path,
		       u32 path_len, const u8 *root)
{
	u8 node[VTPM_MERKLE_HASH_SIZE];
	u32 count = n, used = 0;
	int ret;

	if (!n || n > VTPM_MERKLE_MAX_LEAVES || index >= n ||
	    path_len > VTPM_MERKLE_MAX_DEPTH)
		return -EINVAL;
	ret = vtpm_merkle_leaf(value, node);
	while (!ret && count > 1) {
		const u8 *sib = path + used * VTPM_MERKLE_HASH_SIZE;

		if ((index & 1) || index + 1 < count) {
			if (used == path_len)
				return -EINVAL;
			used++;
			if (index & 1)
				ret = vtpm_merkle_node(sib, node, node);
			else
				ret = vtpm_merkle_node(node, sib, node);
		}
		index /= 2;
		count = (count + 1) / 2;
	}
	if (ret)
		return ret;
	if (used != path_len)
		return -EINVAL;
	return memcmp(node, root, VTPM_MERKLE_HASH_SIZE) ? -EBADMSG : 0;
}
