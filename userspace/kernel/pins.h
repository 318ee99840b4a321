/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Names of what mguard pins in its pin folder (/sys/fs/bpf/mguard by
 * default): the maps by their own names, the links as "link_<what>".
 * bpffs refuses names with a dot (EPERM). The loader writes them; status
 * and stop read them.
 */
#ifndef MGUARD_PINS_H
#define MGUARD_PINS_H

#define MG_PIN_DIR_DEFAULT "/sys/fs/bpf/mguard"
#define MG_BPFFS	   "/sys/fs/bpf"

#define MG_PIN_CONFIG	   "mg_config"
#define MG_PIN_CONTROL	   "mg_control"
#define MG_PIN_COUNTERS	   "mg_counters"
#define MG_PIN_SCOPES	   "mg_scopes"
#define MG_PIN_SELECTORS   "mg_selectors"
#define MG_PIN_SCOPE_CACHE "mg_scope_cache"
#define MG_PIN_BUDGET	   "mg_budget"
#define MG_PIN_TAINTED	   "mg_tainted"
#define MG_PIN_LINK_PREFIX "link_"

#endif /* MGUARD_PINS_H */
