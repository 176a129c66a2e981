/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control device /dev/vtpm-mux.
 */
#ifndef _VTPM_CTRL_H
#define _VTPM_CTRL_H

int vtpm_ctrl_init(void);
void vtpm_ctrl_exit(void);

#endif /* _VTPM_CTRL_H */
