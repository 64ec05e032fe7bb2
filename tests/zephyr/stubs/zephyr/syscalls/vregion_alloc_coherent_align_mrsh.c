/* Stand-in for a generated marshaller: exposes the verifier to the host tests. */
void *(*const z_mrsh_vregion_alloc_coherent_align)(struct vregion *, size_t, size_t) = z_vrfy_vregion_alloc_coherent_align;
