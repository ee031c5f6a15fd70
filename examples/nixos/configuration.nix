# A small web server: nginx in front of a Python app, PostgreSQL, and SSH for the admins.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.hello;
  domain = "hello.example.org";
  admins = [
    "alice"
    "bob"
  ];
  memoryGiB = 16;
in
{
  imports = [ <nixpkgs/nixos/modules/profiles/headless.nix> ];

  options.services.hello = {
    enable = lib.mkEnableOption "the hello service";
    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
      description = "Port the service listens on, behind nginx.";
    };
  };

  config = lib.mkIf (cfg.enable == true) {
    networking.hostName = "web1";
    networking.firewall.allowedTCPPorts = [
      22
      80
      443
    ];

    # Keep /tmp in memory unless the machine is small.
    boot.tmp.useTmpfs = (memoryGiB < 8) == false;

    services.openssh = {
      enable = true;
      settings.PasswordAuthentication = false;
    };

    security.acme = {
      acceptTerms = true;
      defaults.email = "admin@example.org";
      defaults.server = https://acme-staging-v02.api.letsencrypt.org/directory;
    };

    services.nginx = {
      enable = true;
      recommendedProxySettings = true;
      recommendedTlsSettings = true;
      virtualHosts.${domain} = {
        enableACME = true;
        forceSSL = true;
        locations."/".proxyPass = "http://127.0.0.1:${toString cfg.port}";
      };
    };

    services.postgresql = {
      enable = true;
      ensureDatabases = [ "hello" ];
      ensureUsers = [
        {
          name = "hello";
          ensureDBOwnership = true;
        }
      ];
    };

    systemd.services.hello = let {
      port = toString cfg.port;
      body = {
        description = "hello service";
        wantedBy = [ "multi-user.target" ];
        after = [ "postgresql.service" ];
        serviceConfig = {
          ExecStart = "${pkgs.python3}/bin/python3 -m http.server ${port}";
          DynamicUser = true;
          User = "hello";
        };
      };
    };

    users.users = lib.genAttrs admins (name: {
      inherit;
      isNormalUser = true;
      extraGroups = [ "wheel" ];
    });

    environment.systemPackages = let in [
      pkgs.git
      pkgs.htop
    ];

    system.stateVersion = "24.05";
  };
}
