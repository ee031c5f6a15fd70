{ config, lib, pkgs, ... }@args:

let
  inherit (lib) mkIf mkOption types;
  cfg = config.programs.greeter;
  greeting = name: "Hello, ${name}!";
  farewell = name: "Bye, ${name}.";
in
{
  options.programs.greeter = {
    enable = lib.mkEnableOption "the greeter";
    name = mkOption {
      type = types.str;
      default = "world";
    };
  };

  config = mkIf cfg.enable {
    home.packages = [ pkgs.hello ];
    home.file.".greeting".text = greeting cfg.name;
    home.sessionVariables.GREETER_DEBUG = if cfg.debug or false == true then "1" else "0";
  };
}
