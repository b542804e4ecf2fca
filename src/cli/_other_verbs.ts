// crane's and docker's verbs that streamlayer does not offer, each with what
// to use instead: someone who types `streamlayer pull` wants to be told where
// pulling is, not "did you mean push?".

const VERBS: Record<string, string> = {
  pull:
    "no pull command: `streamlayer export <image> -o rootfs.tar` writes its file system, " +
    "`streamlayer copy <image> <registry/repo>` copies it, pullImage() with writeLayout() (streamlayer/layout) keeps it as an OCI layout; " +
    "for a tarball use `crane pull` or `skopeo copy docker://<image> oci-archive:image.tar`",
  append: "no append command: `streamlayer push --base <image> <layer.tar> <destination>` appends a layer, as crane append does",
  mutate:
    "no mutate command: `streamlayer push --base <image> <layer.tar> <destination>` takes crane mutate's options " +
    "(--entrypoint, --cmd, --env, --label, --annotation, --workdir, --user); mutateConfig() does it in the library",
  rebase: "no rebase command: use `crane rebase`",
  flatten: "no flatten command: `streamlayer export <image> -o rootfs.tar` then `streamlayer push rootfs.tar <destination>` gives one layer",
  index:
    "no index command: `streamlayer push --platform <os/arch> -f <file> --platform <os/arch> -f <file> <destination>` pushes a multi-platform image, " +
    "`streamlayer copy --platform` copies some platforms of one, writeIndex() writes one in the library; to edit an index use `crane index append`",
  manifest: "no manifest command: use `crane manifest <image>` or `skopeo inspect --raw docker://<image>`",
  config: "no config command: use `crane config <image>` or `skopeo inspect --config docker://<image>`",
  digest:
    "no digest command: `streamlayer push` and `streamlayer copy` print the digest they wrote; " +
    "for an existing image use `crane digest <image>` or `skopeo inspect --format '{{.Digest}}' docker://<image>`",
  ls: "no ls command: use `crane ls <repository>` or `skopeo list-tags docker://<repository>`",
  catalog: "no catalog command: use `crane catalog <registry>`",
  blob: "no blob command: use `crane blob <repository>@<digest>`; `streamlayer push --blob` uploads one",
  tag:
    "no tag command: `streamlayer push --tag <tag>` adds tags while pushing, and `streamlayer copy <image> <registry/repo:tag>` " +
    "tags an existing image (no layer moves within a repository); or use `crane tag`",
  delete: "no delete command: use `crane delete <image>` or `skopeo delete docker://<image>`",
  validate: "no validate command: `streamlayer copy` checks every blob against its digest as it copies; or use `crane validate`",
  edit: "no edit command: `streamlayer push --base <image>` with crane mutate's options edits the config; or use `crane edit`",
  auth: "no auth command: `streamlayer login <registry> -u <name> --password-stdin` and `streamlayer logout <registry>` are crane auth login and logout",
  cp: "no cp command: it is `streamlayer copy <source> <destination>`",
  version: "no version command: it is `streamlayer --version`",
  save: "no save command: `streamlayer export <image> -o rootfs.tar` writes the file system; for a `docker save` tarball use `skopeo copy docker://<image> docker-archive:image.tar`",
  load: "no load command: to push a `docker save` tarball use `skopeo copy docker-archive:image.tar docker://<destination>` or `crane push image.tar <destination>`",
  build: "no build command: `tar -cf - -C rootfs . | streamlayer push --base <image> - <destination>` pushes a folder as a layer on a base",
};

/** What to use instead of `verb`, when it is a crane or docker verb streamlayer does not offer. */
export function insteadOf(verb: string): string | undefined {
  return Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
}
