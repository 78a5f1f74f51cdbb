/* The key table (keys.h). The functions of each entry live in the
 * keys_<section>.c file of its section. */
#include "profile/keys.h"

#include <string.h>

#include "profile/keys_environment.h"
#include "profile/keys_filesystem.h"
#include "profile/keys_host.h"
#include "profile/keys_identity.h"
#include "profile/keys_limits.h"
#include "profile/keys_network.h"
#include "profile/keys_syscalls.h"

#define KEY(section, name, prefix, learned)                                                   \
        {                                                                                     \
                section, name, lp_key_##prefix##_apply, lp_key_##prefix##_show, NULL, learned \
        }
#define GRANTING_KEY(section, name, prefix, learned)                            \
        {                                                                       \
                section, name, lp_key_##prefix##_apply, lp_key_##prefix##_show, \
                        lp_key_##prefix##_privileges, learned                   \
        }

const struct lp_key lp_keys[] = {
        KEY("Profile", "Description", description, false),
        /* Expanded in place by the loader: nothing of its own to apply,
         * show or count. */
        {"Profile", "Include", NULL, NULL, NULL, false},

        GRANTING_KEY("Capabilities", "Keep", keep, true),

        GRANTING_KEY("Syscalls", "Allow", allow, true),
        KEY("Syscalls", "Deny", deny, false),
        GRANTING_KEY("Syscalls", "DefaultAction", default_action, false),

        GRANTING_KEY("Network", "Namespace", namespace, false),
        GRANTING_KEY("Network", "AddressFamilies", families, true),
        GRANTING_KEY("Network", "Forward", forward, false),
        GRANTING_KEY("Network", "ForwardOutside", forward_outside, false),

        GRANTING_KEY("Filesystem", "ProtectSystem", protect_system, false),
        GRANTING_KEY("Filesystem", "ReadWritePaths", rw_paths, true),
        GRANTING_KEY("Filesystem", "ReadOnlyPaths", ro_paths, false),
        GRANTING_KEY("Filesystem", "InaccessiblePaths", hidden_paths, false),
        GRANTING_KEY("Filesystem", "PrivateTmp", private_tmp, false),
        GRANTING_KEY("Filesystem", "PrivateDevices", private_devices, false),
        GRANTING_KEY("Filesystem", "ProtectKernelTunables", protect_tunables, false),
        GRANTING_KEY("Filesystem", "ProtectControlGroups", protect_cgroups, false),
        GRANTING_KEY("Filesystem", "RestrictSUIDSGID", restrict_suid, false),

        GRANTING_KEY("Host", "PrivateIPC", private_ipc, false),
        GRANTING_KEY("Host", "ProtectHostname", protect_hostname, false),

        GRANTING_KEY("Environment", "Clear", clear, false),
        GRANTING_KEY("Environment", "Withhold", withhold, false),
        GRANTING_KEY("Environment", "Pass", pass, false),
        KEY("Environment", "Set", set, false),
        GRANTING_KEY("Environment", "WithholdURLPasswords", withhold_url_passwords, false),

        KEY("Limits", "Timeout", timeout, false),
        KEY("Limits", "Processes", processes, false),
        KEY("Limits", "OpenFiles", open_files, false),
        KEY("Limits", "TmpSize", tmp_size, false),
        KEY("Limits", "Memory", memory, false),

        KEY("Identity", "User", user, false),
        KEY("Identity", "Group", group, false),
        GRANTING_KEY("Identity", "DynamicUser", dynamic_user, false),
        {NULL, NULL, NULL, NULL, NULL, false},
};

const char *const lp_sections[] = {"Profile", "Capabilities", "Syscalls", "Network",  "Filesystem",
                                   "Host",    "Environment",  "Limits",   "Identity", NULL};

const struct lp_key *lp_key_find(const char *section, const char *name)
{
        for (const struct lp_key *k = lp_keys; k->name; k++)
                if (strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0)
                        return k;
        return NULL;
}

size_t lp_key_names(const char *section, const char **names, size_t size)
{
        size_t n = 0;
        for (const struct lp_key *k = lp_keys; k->name && n + 1 < size; k++)
                if (strcmp(k->section, section) == 0)
                        names[n++] = k->name;
        if (size > 0)
                names[n] = NULL;
        return n;
}
