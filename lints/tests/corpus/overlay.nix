final: prev: {
  hello-wrapped = prev.symlinkJoin {
    name = "hello-wrapped";
    paths = [ prev.hello ];
    postBuild = ''
      wrapProgram $out/bin/hello --add-flags "--greeting=hi"
    '';
    nativeBuildInputs = [ prev.makeWrapper ];
  };

  python3 = prev.python3.override {
    packageOverrides = pyFinal: pyPrev: {
      requests = pyPrev.requests.overridePythonAttrs (old: {
        doCheck = false;
      });
    };
  };
}
