/* Stand-in for a generated marshaller: exposes the verifier to the host tests. */
void *(*const z_mrsh_vregion_alloc_coherent)(struct vregion *, size_t) = z_vrfy_vregion_alloc_coherent;
