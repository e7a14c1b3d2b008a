// The few file-system calls that Swift's Glibc module leaves out (statfs, extended attributes,
// raw folder entries), each with one signature on Linux and macOS.
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>
#if defined(__APPLE__)
#include <sys/mount.h>
#else
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// The file system's magic number (`statfs`'s f_type) on Linux; -1 elsewhere or on failure.
static inline long micsync_file_system_magic(const char *path) {
#if defined(__APPLE__)
    (void)path;
    return -1;
#else
    struct statfs found;
    return statfs(path, &found) == 0 ? (long)found.f_type : -1;
#endif
}

static inline int micsync_set_attribute(int file, const char *name, const void *value, size_t size) {
#if defined(__APPLE__)
    return fsetxattr(file, name, value, size, 0, 0);
#else
    return fsetxattr(file, name, value, size, 0);
#endif
}

static inline ssize_t micsync_get_attribute(int file, const char *name, void *value, size_t size) {
#if defined(__APPLE__)
    return fgetxattr(file, name, value, size, 0, 0);
#else
    return fgetxattr(file, name, value, size);
#endif
}

static inline ssize_t micsync_list_attributes(int file, char *names, size_t size) {
#if defined(__APPLE__)
    return flistxattr(file, names, size, 0);
#else
    return flistxattr(file, names, size);
#endif
}

// The tree comparison's calls (Linux only; elsewhere they fail with ENOSYS, and the comparison
// answers "don't know").

/// The raw entries of an open folder (getdents64: struct linux_dirent64 records) into `buffer`:
/// the bytes read, 0 at the end, -1 on error.
static inline long micsync_read_entries(int folder, void *buffer, size_t size) {
#if defined(__linux__)
    return syscall(SYS_getdents64, folder, buffer, size);
#else
    (void)folder; (void)buffer; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

// listxattrat and getxattrat (Linux 6.13) name an item by folder and name, never following a
// final link; the same numbers on every architecture's table that has them.
#if defined(__linux__) && !defined(SYS_listxattrat) && (defined(__x86_64__) || defined(__aarch64__) || defined(__riscv))
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#endif

/// The attribute names of `name` in `folder` (a link itself); -1 with ENOSYS where the kernel
/// lacks the call.
static inline long micsync_list_attributes_at(int folder, const char *name, char *names, size_t size) {
#if defined(__linux__) && defined(SYS_listxattrat)
    return syscall(SYS_listxattrat, folder, name, AT_SYMLINK_NOFOLLOW, names, size);
#else
    (void)folder; (void)name; (void)names; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

/// One attribute's value of `name` in `folder` (a link itself); -1 with ENOSYS where the kernel
/// lacks the call.
static inline long micsync_get_attribute_at(int folder, const char *name, const char *attribute, void *value, size_t size) {
#if defined(__linux__) && defined(SYS_getxattrat)
    struct { uint64_t value; uint32_t size; uint32_t flags; } arguments = { (uint64_t)(uintptr_t)value, (uint32_t)size, 0 };
    return syscall(SYS_getxattrat, folder, name, AT_SYMLINK_NOFOLLOW, attribute, &arguments, sizeof arguments);
#else
    (void)folder; (void)name; (void)attribute; (void)value; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

/// The same by path, for older kernels (a link itself).
static inline ssize_t micsync_list_link_attributes(const char *path, char *names, size_t size) {
#if defined(__APPLE__)
    return listxattr(path, names, size, XATTR_NOFOLLOW);
#else
    return llistxattr(path, names, size);
#endif
}

static inline ssize_t micsync_get_link_attribute(const char *path, const char *attribute, void *value, size_t size) {
#if defined(__APPLE__)
    return getxattr(path, attribute, value, size, 0, XATTR_NOFOLLOW);
#else
    return lgetxattr(path, attribute, value, size);
#endif
}
