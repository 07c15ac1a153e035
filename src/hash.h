/*
 * hash — FNV-1a 64, for checksums that name content (migration checksums, asset ETags).
 * Not for anything an attacker chooses to collide: nothing here is secret or trusted.
 */
#ifndef DRAFTD_HASH_H
#define DRAFTD_HASH_H

#include <stddef.h>

/* Writes the hash of n bytes as 16 lowercase hex digits and a NUL. */
void hash_fnv1a_hex(const void *data, size_t n, char out[17]);

#endif
