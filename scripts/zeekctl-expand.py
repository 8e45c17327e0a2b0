# Runs zeekctl's own config code on a node.cfg (+ zeekctl.cfg lines) on a scratch ZEEKBASE and
# prints its expansion as JSON: how test/fixtures/nodecfg-zeekctl/ was made.
#   ZEEKCTL_SOURCE=path/to/zeekctl-checkout python3 scripts/zeekctl-expand.py node.cfg [zeekctl.cfg]
# (a checkout of github.com/zeek/zeekctl at the commit Zeek pins; nothing is started).
import json, os, sys, tempfile, shutil, io, contextlib
SOURCE = os.environ.get('ZEEKCTL_SOURCE', 'zeekctl')
sys.path.insert(0, SOURCE)
from ZeekControl import zeekctl, config, control, install
from ZeekControl.exceptions import ConfigurationError

class UI:
    def __init__(self): self.msgs = []
    def info(self, t): self.msgs.append(['info', t])
    def error(self, t): self.msgs.append(['error', t])
    def warn(self, t): self.msgs.append(['warn', t])

def run(nodecfg_text, zeekctl_lines):
    base = tempfile.mkdtemp(prefix='zc-')
    for d in ['logs', 'spool', 'etc', 'share/zeekctl/scripts', 'bin', 'share/zeek', 'libi/zeekctl/plugins']:
        os.makedirs(os.path.join(base, d), exist_ok=True)
    open(os.path.join(base, 'share/zeekctl/scripts/make-archive-name'), 'w').close()
    src = os.path.join(SOURCE, 'ZeekControl/plugins')
    for f in os.listdir(src):
        if f.endswith('.py') and f != 'TestPlugin.py' and not f.startswith('__'):
            shutil.copy(os.path.join(src, f), os.path.join(base, 'libi/zeekctl/plugins', f))
    with open(os.path.join(base, 'etc/node.cfg'), 'w') as f: f.write(nodecfg_text)
    with open(os.path.join(base, 'etc/zeekctl.cfg'), 'w') as f: f.write('\n'.join(zeekctl_lines) + '\n')
    ui = UI()
    out = {}
    cwd = os.getcwd()
    try:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            zc = zeekctl.ZeekCtl(basedir=base, libdir=os.path.join(base, 'lib'), libdirinternal=os.path.join(base, 'libi'),
                                 cfgfile=os.path.join(base, 'etc/zeekctl.cfg'), zeekscriptdir=os.path.join(base, 'share/zeek'), ui=ui)
            nodes = []
            for n in config.Config.nodes():
                nodes.append({'name': n.name, 'type': n.type, 'host': n.host, 'addr': n.addr, 'count': n.count,
                              'interface': n.interface, 'lb_method': n.lb_method, 'lb_procs': n.lb_procs,
                              'pin_cpu': None if n.pin_cpus == '' else n.pin_cpus,
                              'env': control._make_env_params(n, True)[1::2], 'aux_scripts': n.aux_scripts,
                              'zeek_args': control._make_zeek_params(n, True)})
            install.make_layout(base, ui, True)
            install.make_zeekctl_config_policy(base, ui, zc.plugins)
        layoutfile = 'standalone-layout.zeek' if config.Config.standalone else 'cluster-layout.zeek'
        out = {'valid': True, 'standalone': bool(config.Config.standalone), 'nodes': nodes,
               'cluster-layout.zeek': open(os.path.join(base, layoutfile)).read(),
               'zeekctl-config.zeek': open(os.path.join(base, 'zeekctl-config.zeek')).read(), 'stdout': buf.getvalue()}
    except (ConfigurationError, Exception) as e:
        out = {'valid': False, 'error': str(e), 'kind': type(e).__name__}
    except SystemExit as e:
        out = {'valid': False, 'error': 'exit', 'msgs': ui.msgs}
    finally:
        os.chdir(cwd)
        shutil.rmtree(base, ignore_errors=True)
    out['ui'] = ui.msgs
    return out

if __name__ == '__main__':
    text = open(sys.argv[1]).read()
    lines = open(sys.argv[2]).read().splitlines() if len(sys.argv) > 2 else []
    print(json.dumps(run(text, lines)))
