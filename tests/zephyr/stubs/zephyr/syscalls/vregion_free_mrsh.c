/* Stand-in for a generated marshaller: exposes the verifier to the host tests. */
void (*const z_mrsh_vregion_free)(struct vregion *, void *) = z_vrfy_vregion_free;
