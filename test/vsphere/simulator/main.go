// Test-only vSphere API: govmomi's simulator (vcsim) on a loopback port, plus the pieces the
// Debian-packaged simulator lacks that the vsphere tests need:
//   - a HostAutoStartManager per host implementing ReconfigureAutostart, mirrored into the host's
//     config.autoStart (the real API; 0.24.2 references the manager but never registers it);
//   - a hooks object (OptionManager "vmzombie-test-hooks") whose UpdateOptions sets properties the
//     API cannot set on a simulator: a host's runtime.connectionState (notResponding) or
//     runtime.bootTime, and a cluster's HA (configurationEx.dasConfig.enabled). Keys are
//     "<Type>:<moid>:<property path>", e.g. "HostSystem:host-21:runtime.connectionState".
//
// Prints one JSON line {"url": ..., "certFile": ...} on stdout once it listens; stops on SIGINT or
// SIGTERM and removes its datastore directories.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type autoStartManager struct {
	mo.HostAutoStartManager
	host types.ManagedObjectReference
}

func (m *autoStartManager) ReconfigureAutostart(req *types.ReconfigureAutostart) soap.HasFault {
	if req.Spec.Defaults != nil {
		m.Config.Defaults = req.Spec.Defaults
	}
	for _, p := range req.Spec.PowerInfo {
		replaced := false
		for i := range m.Config.PowerInfo {
			if m.Config.PowerInfo[i].Key == p.Key {
				m.Config.PowerInfo[i] = p
				replaced = true
			}
		}
		if !replaced {
			m.Config.PowerInfo = append(m.Config.PowerInfo, p)
		}
	}
	config := m.Config
	host := simulator.Map.Get(m.host).(*simulator.HostSystem)
	simulator.Map.WithLock(host, func() {
		if host.Config != nil {
			host.Config.AutoStart = &config
		}
	})
	return &methods.ReconfigureAutostartBody{Res: new(types.ReconfigureAutostartResponse)}
}

type testHooks struct {
	mo.OptionManager
}

func (h *testHooks) UpdateOptions(req *types.UpdateOptions) soap.HasFault {
	body := new(methods.UpdateOptionsBody)
	for _, change := range req.ChangedValue {
		opt := change.GetOptionValue()
		parts := strings.SplitN(opt.Key, ":", 3)
		if len(parts) != 3 {
			body.Fault_ = simulator.Fault("key must be <Type>:<moid>:<path>", &types.InvalidName{Name: opt.Key})
			return body
		}
		ref := types.ManagedObjectReference{Type: parts[0], Value: parts[1]}
		obj := simulator.Map.Get(ref)
		if obj == nil {
			body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: ref})
			return body
		}
		if c, ok := obj.(*simulator.ClusterComputeResource); ok && parts[2] == "configurationEx.dasConfig.enabled" {
			enabled, _ := opt.Value.(bool)
			simulator.Map.WithLock(c, func() {
				cfg := c.ConfigurationEx.(*types.ClusterConfigInfoEx)
				cfg.DasConfig.Enabled = &enabled
			})
			continue
		}
		simulator.Map.WithLock(obj, func() {
			simulator.Map.Update(obj, []types.PropertyChange{{Name: parts[2], Val: opt.Value}})
		})
	}
	body.Res = new(types.UpdateOptionsResponse)
	return body
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "host:port to serve the SDK on")
	user := flag.String("user", "", "require this user name (any credentials are accepted when empty)")
	pass := flag.String("pass", "", "password for -user")
	vms := flag.Int("vms", 0, "VMs per compute resource (0: the simulator's default, 2)")
	hosts := flag.Int("cluster-hosts", 3, "hosts in the cluster")
	standalone := flag.Int("hosts", 1, "standalone hosts")
	useTLS := flag.Bool("tls", false, "serve https with a self-signed certificate")
	datastores := flag.Int("datastores", 0, "local datastores LocalDS_0.. mounted on every host (0: the simulator's default, 1)")
	flag.Parse()

	model := simulator.VPX()
	model.ClusterHost = *hosts
	model.Host = *standalone
	if *vms > 0 {
		model.Machine = *vms
	}
	if *datastores > 0 {
		model.Datastore = *datastores
	}
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	model.Service.Listen = &url.URL{Host: *listen}
	if *user != "" {
		model.Service.Listen.User = url.UserPassword(*user, *pass)
	}
	if *useTLS {
		model.Service.TLS = new(tls.Config)
	}

	for _, e := range simulator.Map.All("HostSystem") {
		host := e.(*simulator.HostSystem)
		m := &autoStartManager{host: host.Reference()}
		m.Self = types.ManagedObjectReference{Type: "HostAutoStartManager", Value: "autostart-" + host.Reference().Value}
		m.Config = types.HostAutoStartManagerConfig{Defaults: &types.AutoStartDefaults{Enabled: types.NewBool(false)}}
		simulator.Map.Put(m)
		ref := m.Self
		host.ConfigManager.AutoStartManager = &ref
		if host.Config != nil {
			config := m.Config
			host.Config.AutoStart = &config
		}
	}
	hooks := &testHooks{}
	hooks.Self = types.ManagedObjectReference{Type: "OptionManager", Value: "vmzombie-test-hooks"}
	simulator.Map.Put(hooks)

	server := model.Service.NewServer()
	info := map[string]string{"url": server.URL.String()}
	if *useTLS {
		file, err := server.CertificateFile()
		if err != nil {
			log.Fatal(err)
		}
		info["certFile"] = file
	}
	out, _ := json.Marshal(info)
	fmt.Println(string(out))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	server.Close()
	model.Remove()
}
