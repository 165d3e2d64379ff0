# calico-ipam step: read-kubeconfig
# Expects LAB_NAME. Prints the cluster's admin kubeconfig (the program keeps it secret).
bounded 60 "kind get kubeconfig" as_root kind get kubeconfig --name "$LAB_NAME"
