# How fix_safety.rs looks at flakes and modules: what Nix or NixOS would make of them, with the
# names and values they define, so that two texts that mean the same give the same view.
{
  flake = flake: flake;
  module = module: module;
}
