# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_sts_doctor_global_optspecs
    string join \n n/namespace= A/all-namespaces context= kubeconfig= o/output= no-color request-timeout= v/verbose h/help V/version
end

function __fish_kubectl_sts_doctor_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_sts_doctor_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_sts_doctor_using_subcommand
    set -l cmd (__fish_kubectl_sts_doctor_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -s A -l all-namespaces -d 'Check every namespace (the bare command is doctor)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "ordinals" -d 'Every ordinal of a StatefulSet: pod state, revision, node health, why a pod is missing'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "claims" -d 'Every claim of a StatefulSet: PVC, PV, sizes, who mounts it, orphans and drift'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "force-delete" -d 'Force-delete a pod, only after node loss is confirmed from the API'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "reclaim" -d 'Find (and with --delete, remove) claims left behind by scale-down'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "rollout" -d 'Show or follow a (partitioned) rolling update; step the partition as a canary'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "doctor" -d 'Check every StatefulSet in the namespace (or -A) and list findings by severity'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "drain-check" -d 'What draining a node would do to StatefulSets (read-only): evictions, pods that cannot move, ordinals down together, and a careful order'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -l wide -d 'One row per ordinal even above 50 ordinals, where the table is otherwise compact (as -o wide)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand ordinals" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -l wide -d 'One row per ordinal even above 50 ordinals, where the table is otherwise compact (as -o wide)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand claims" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l not-ready-for -d 'How long the node\'s Ready condition must have been Unknown' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l lease-stale-for -d 'How long the node\'s Lease must have gone unrenewed' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l timeout -d 'Give up waiting after this long' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -s y -l yes -d 'Do not prompt; proceed (for scripts). Safety checks still apply'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l dry-run -d 'Ask the API server to validate the change without persisting it (server-side dry run)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l fence -d 'Instead of deleting the pod, taint its node with node.kubernetes.io/out-of-service (Kubernetes >= 1.28 then deletes its pods and force-detaches volumes)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l node-fenced -d 'State that the node is fenced (powered off or isolated from storage) outside Kubernetes. Counts as the strong signal; recorded in the output'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l wait -d 'After deleting, wait until the StatefulSet has recreated the pod and it is Ready'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand force-delete" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l deleted -d 'Look for claims of StatefulSets that no longer exist (lower confidence)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s A -l all-namespaces -d 'With --deleted: look in every namespace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l delete -d 'Delete the listed claims (default: show the plan only)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l keep-volume -d 'Switch each bound PV to reclaimPolicy Retain before deleting its claim, so the data survives'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l include-name-only -d 'Also reclaim claims matched by name only (the StatefulSet\'s selector has no matchLabels, so its claims carry no labels to verify them with); they are marked low confidence'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s y -l yes -d 'Do not prompt; proceed (for scripts). Safety checks still apply'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l dry-run -d 'Ask the API server to validate the change without persisting it (server-side dry run)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand reclaim" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l timeout -d 'Give up following after this long (exit code 5); 0 follows without a limit' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l stuck-after -d 'An updated pod not Ready for this long makes the rollout stuck' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l step -d 'Canary: lower the partition by N, once, when the already-updated pods are Ready (with --until, step by step down to P)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l to -d 'Set the partition to P once the already-updated pods are Ready' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l until -d 'With --step: keep stepping until the partition reaches this value, then follow the rollout to its end (also without a terminal; --no-watch returns after the last patch)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l pause -d 'With --step --until: wait this long between steps once updated pods are Ready' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s w -l watch -d 'Follow the rollout until done or stuck (default when stdout is a terminal)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l no-watch -d 'Do not follow: print the status once and return'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l fix -d 'Delete the pod that holds the rollout in the forced-rollback trap (kubernetes#67250)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s y -l yes -d 'Do not prompt; proceed (for scripts). Safety checks still apply'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l dry-run -d 'Ask the API server to validate the change without persisting it (server-side dry run)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -a "history" -d 'The StatefulSet\'s ControllerRevisions: number, age, change-cause, which ordinals run each'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -a "diff" -d 'Unified diff of two revisions\' pod templates (default: current -> update revision)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -a "undo" -d 'Restore an earlier revision\'s pod template (default: the previous one), diff shown first'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and not __fish_seen_subcommand_from history diff undo help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -l from -d 'Old side: a revision number, a ControllerRevision name, or `live` (the StatefulSet\'s spec.template now). Default: the current revision' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -l to -d 'New side, as --from. Default: the update revision' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l to-revision -d 'The revision whose template to restore; 0 (the default) is the previous revision, as in `kubectl rollout undo`' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l timeout -d 'Give up following after this long (exit code 5); 0 follows without a limit' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l stuck-after -d 'An updated pod not Ready for this long makes the rollout stuck' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l fix -d 'After the undo, delete a pod of the abandoned revision that holds the rollout in the forced-rollback trap (kubernetes#67250), as `rollout --fix` does'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s w -l watch -d 'Follow the rollout until done or stuck (default when stdout is a terminal)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l no-watch -d 'Do not follow: print the status once and return'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s y -l yes -d 'Do not prompt; proceed (for scripts). Safety checks still apply'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l dry-run -d 'Ask the API server to validate the change without persisting it (server-side dry run)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "history" -d 'The StatefulSet\'s ControllerRevisions: number, age, change-cause, which ordinals run each'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Unified diff of two revisions\' pod templates (default: current -> update revision)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "undo" -d 'Restore an earlier revision\'s pod template (default: the previous one), diff shown first'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -s A -l all-namespaces -d 'Check the StatefulSets of every namespace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -s A -l all-namespaces -d 'Look at the StatefulSets of every namespace (a drain evicts them all)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand drain-check" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -s n -l namespace -d 'Namespace to use (default: the namespace of the current context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -l context -d 'Kubeconfig context to use (default: current-context)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -s o -l output -d 'Output format: table, wide (table with one row per ordinal, however many), json or yaml' -r -f -a "table\t''
wide\t'The table with one row per ordinal, also for big StatefulSets (see `--wide`)'
json\t''
yaml\t''"
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -l request-timeout -d 'Give up on a single API request after this long (e.g. 30s, 2m)' -r
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -l no-color -d 'Disable colours (also honoured: the NO_COLOR environment variable)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -s v -l verbose -d 'More logging on stderr: -v info, -vv debug (API requests), -vvv trace'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "ordinals" -d 'Every ordinal of a StatefulSet: pod state, revision, node health, why a pod is missing'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "claims" -d 'Every claim of a StatefulSet: PVC, PV, sizes, who mounts it, orphans and drift'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "force-delete" -d 'Force-delete a pod, only after node loss is confirmed from the API'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "reclaim" -d 'Find (and with --delete, remove) claims left behind by scale-down'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "rollout" -d 'Show or follow a (partitioned) rolling update; step the partition as a canary'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "doctor" -d 'Check every StatefulSet in the namespace (or -A) and list findings by severity'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "drain-check" -d 'What draining a node would do to StatefulSets (read-only): evictions, pods that cannot move, ordinals down together, and a careful order'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and not __fish_seen_subcommand_from ordinals claims force-delete reclaim rollout doctor drain-check completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "history" -d 'The StatefulSet\'s ControllerRevisions: number, age, change-cause, which ordinals run each'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "diff" -d 'Unified diff of two revisions\' pod templates (default: current -> update revision)'
complete -c kubectl-sts_doctor -n "__fish_kubectl_sts_doctor_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "undo" -d 'Restore an earlier revision\'s pod template (default: the previous one), diff shown first'
