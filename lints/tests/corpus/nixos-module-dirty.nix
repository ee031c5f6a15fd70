{ config, lib, pkgs, modulesPath, ... }:

let
  cfg = config.services.webapp;
  port = 8080;
  unusedHelper = x: x + 1;
  inherit;
in
with lib;
{
  imports = [ <nixpkgs/nixos/modules/profiles/minimal.nix> ];

  options.services.webapp.enable = mkEnableOption "the web application";

  config = mkIf (cfg.enable == true) {
    networking.firewall.allowedTCPPorts = [ port ];

    systemd.services.webapp = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig.ExecStart = "${pkgs.python3}/bin/python -m http.server ${toString port}";
      environment.HOMEPAGE = https://example.org;
    };

    boot.tmp.cleanOnBoot = (config.boot.tmp.useTmpfs) == false;
    users.users = genAttrs [ "alice" "bob" ] (name: { isNormalUser = true; });
  };
}
