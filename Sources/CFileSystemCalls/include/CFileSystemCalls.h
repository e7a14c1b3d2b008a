// The few file-system calls the capability probe needs that Swift's Glibc module leaves out
// (statfs, extended attributes), each with one signature on Linux and macOS.
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <sys/xattr.h>
#if defined(__APPLE__)
#include <sys/mount.h>
#else
#include <sys/statfs.h>
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
