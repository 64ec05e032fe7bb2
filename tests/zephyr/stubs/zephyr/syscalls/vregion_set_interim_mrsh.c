/* Stand-in for a generated marshaller: exposes the verifier to the host tests. */
void (*const z_mrsh_vregion_set_interim)(struct vregion *) = z_vrfy_vregion_set_interim;
