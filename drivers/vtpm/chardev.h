/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/vtpmN character device: one command per open file at a time.
 */
#ifndef _VTPM_CHARDEV_H
#define _VTPM_CHARDEV_H

#include <linux/fs.h>

extern const struct file_operations vtpm_chardev_fops;

int vtpm_chardev_init(void);
void vtpm_chardev_exit(void);

#endif /* _VTPM_CHARDEV_H */
