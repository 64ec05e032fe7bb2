/* Stand-in for a generated marshaller: exposes the verifier to the host tests. */
struct vregion *(*const z_mrsh_vregion_put)(struct vregion *) = z_vrfy_vregion_put;
