{ config, lib, pkgs, ... }:

let
  cfg = config.services.backup;
  inherit (lib) mkEnableOption mkIf mkOption types;
in
{
  options.services.backup = {
    enable = mkEnableOption "nightly backups with restic";

    paths = mkOption {
      type = types.listOf types.str;
      default = [ "/var/lib" ];
      description = "Folders to back up.";
    };

    repository = mkOption {
      type = types.str;
      example = "s3:https://s3.example.org/backups";
      description = "Where restic stores the snapshots.";
    };
  };

  config = mkIf cfg.enable {
    environment.systemPackages = [ pkgs.restic ];

    services.restic.backups.nightly = {
      inherit (cfg) paths repository;
      passwordFile = "/run/secrets/restic";
      timerConfig.OnCalendar = "daily";
    };
  };
}
