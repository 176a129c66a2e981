/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VTPM_VERIFY_REPLAY_H
#define VTPM_VERIFY_REPLAY_H

int vv_replay_log(const char *path, const char *pcr);

#endif
