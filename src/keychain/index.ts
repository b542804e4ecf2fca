/**
 * `streamlayer/keychain`: the credentials docker, podman and crane use, for
 * the `auth` option of every entry point. Node and Deno only: it reads
 * Docker's config.json and containers' auth.json, and runs credential helpers.
 *
 * @module
 */
export { dockerKeychain, type DockerKeychain, type DockerKeychainOptions } from "./docker_keychain.ts";
export { CredentialHelperError } from "./credential_helper_error.ts";
