/* Stand-in for a generated marshaller: exposes the verifier to the host tests. */
void *(*const z_mrsh_vregion_alloc)(struct vregion *, size_t) = z_vrfy_vregion_alloc;
