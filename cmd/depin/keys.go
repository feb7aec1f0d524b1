package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/keyring"
)

// envExportPassphrase is read first for the passphrase of exported keys.
const envExportPassphrase = "DEPIN_EXPORT_PASSPHRASE"

// keysKDF are the argon2id parameters for keys the CLI encrypts.
var keysKDF = keyring.DefaultKDFParams()

// maxImportSize bounds the armored key file `keys import` reads.
const maxImportSize = 64 << 10

// newKeysCmds builds the commands of this file; the root command adds them.
func newKeysCmds() []*cobra.Command {
	keysCmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the keys of accounts, makers and devices",
		Long: `Manage the ed25519 keys in <home>/keyring, one file per key.

With --keyring-backend file (the default) private keys are encrypted with the keyring
passphrase (argon2id + ChaCha20-Poly1305). The passphrase is taken from, in order:
$` + keyring.EnvPassphrase + `, the file given by --passphrase-file, a prompt on the terminal.
With --keyring-backend test new keys are stored unencrypted: for development networks only.`,
	}
	keysCmd.PersistentFlags().String("passphrase-file", "", "read the keyring passphrase from the first line of this file")

	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Generate a new key and print its 24-word mnemonic once, or recover one from its mnemonic",
		Long: `Generate a new key from a fresh 24-word BIP-39 mnemonic and print the mnemonic once:
write it down, it is the only way to restore the key if the keyring is lost. The ed25519 key
is derived from the mnemonic with SLIP-0010 along ` + keyring.HDPath + `.

With --recover the mnemonic (12 to 24 words) is read from the terminal or standard input
and the same key is restored.`,
		Args: cobra.ExactArgs(1),
		RunE: runKeysAdd,
	}
	add.Flags().Bool("recover", false, "restore the key from its BIP-39 mnemonic, read from the terminal or standard input")
	add.Flags().Bool("no-backup", false, "do not print the new key's mnemonic")
	list := &cobra.Command{
		Use:   "list",
		Short: "List all keys, sorted by name",
		Args:  cobra.NoArgs,
		RunE:  runKeysList,
	}
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's address and public key",
		Args:  cobra.ExactArgs(1),
		RunE:  runKeysShow,
	}
	show.Flags().BoolP("address", "a", false, "print only the address")
	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key (asks for confirmation)",
		Args:  cobra.ExactArgs(1),
		RunE:  runKeysDelete,
	}
	del.Flags().BoolP("yes", "y", false, "delete without asking")
	export := &cobra.Command{
		Use:   "export NAME",
		Short: "Export a key, armored and encrypted with an export passphrase",
		Long: `Export a key, armored and encrypted with an export passphrase taken from, in order:
$` + envExportPassphrase + `, the file given by --export-passphrase-file, a prompt.`,
		Args: cobra.ExactArgs(1),
		RunE: runKeysExport,
	}
	export.Flags().String("out", "", "write the armored key to this new file instead of standard output")
	export.Flags().String("export-passphrase-file", "", "read the export passphrase from the first line of this file")
	imp := &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Import a key exported by `depin keys export`",
		Long: `Import an armored key. Its export passphrase is taken from, in order:
$` + envExportPassphrase + `, the file given by --export-passphrase-file, a prompt.`,
		Args: cobra.ExactArgs(2),
		RunE: runKeysImport,
	}
	imp.Flags().String("export-passphrase-file", "", "read the export passphrase from the first line of this file")

	keysCmd.AddCommand(add, list, show, del, export, imp)
	return []*cobra.Command{keysCmd}
}

// keyringFromFlags opens the keyring of --home with --keyring-backend. The
// passphrase comes from $DEPIN_KEYRING_PASSPHRASE, --passphrase-file (if
// the command has that flag) or a prompt on the command's input; the
// returned prompter is the one to use for any other question.
func keyringFromFlags(cmd *cobra.Command) (*keyring.Keyring, *keyring.Prompter, error) {
	backend, _ := cmd.Flags().GetString("keyring-backend")
	var passFile string
	if f := cmd.Flags().Lookup("passphrase-file"); f != nil {
		passFile = f.Value.String()
	}
	p := keyring.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
	kr, err := keyring.Open(keyring.Dir(homeDir(cmd)), backend, keyring.Sources(keyring.EnvPassphrase, passFile, p))
	if err != nil {
		return nil, nil, err
	}
	if err := kr.SetKDFParams(keysKDF); err != nil {
		return nil, nil, err
	}
	return kr, p, nil
}

// keysExportPassphrase returns the source of export passphrases.
func keysExportPassphrase(cmd *cobra.Command, p *keyring.Prompter) keyring.PassphraseFunc {
	file, _ := cmd.Flags().GetString("export-passphrase-file")
	return keyring.Sources(envExportPassphrase, file, p)
}

func runKeysAdd(cmd *cobra.Command, args []string) error {
	kr, p, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	if recover, _ := cmd.Flags().GetBool("recover"); recover {
		if _, err := kr.Show(args[0]); err == nil {
			return fmt.Errorf("keys add: a key named %q already exists: choose another name or delete it first", args[0])
		}
		m, err := p.Passphrase("Enter your BIP-39 mnemonic", false)
		if err != nil {
			return fmt.Errorf("keys add --recover: %w", err)
		}
		info, err := kr.AddFromMnemonic(args[0], string(m), "")
		if err != nil {
			return fmt.Errorf("keys add --recover: %w (check the words and their order)", err)
		}
		return keysPrintInfo(cmd, info)
	}
	mnemonic, err := keyring.NewMnemonic()
	if err != nil {
		return err
	}
	info, err := kr.AddFromMnemonic(args[0], mnemonic, "")
	if err != nil {
		return err
	}
	if noBackup, _ := cmd.Flags().GetBool("no-backup"); noBackup {
		return keysPrintInfo(cmd, info)
	}
	if outputJSON(cmd) {
		return keysPrintJSON(cmd.OutOrStdout(), map[string]any{"name": info.Name, "address": info.Address.String(),
			"pub_key": info.PubKeyHex(), "encrypted": info.Encrypted, "mnemonic": mnemonic})
	}
	if err := keysPrintInfo(cmd, info); err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "\n**Write this mnemonic phrase down and keep it safe.**\nIt is the only way to recover this key (depin keys add %s --recover), and it is not shown again.\n\n%s\n", info.Name, mnemonic)
	return err
}

func runKeysList(cmd *cobra.Command, _ []string) error {
	kr, _, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	infos, err := kr.List()
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return keysPrintJSON(cmd.OutOrStdout(), infos)
	}
	if len(infos) == 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "no keys in", keyring.Dir(homeDir(cmd)))
		return nil
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tADDRESS\tSTORAGE")
	for _, i := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", i.Name, i.Address, keysStorage(i))
	}
	return tw.Flush()
}

func runKeysShow(cmd *cobra.Command, args []string) error {
	kr, _, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	info, err := kr.Show(args[0])
	if err != nil {
		return err
	}
	if only, _ := cmd.Flags().GetBool("address"); only {
		if outputJSON(cmd) {
			return keysPrintJSON(cmd.OutOrStdout(), map[string]string{"address": info.Address.String()})
		}
		_, err := fmt.Fprintln(cmd.OutOrStdout(), info.Address)
		return err
	}
	return keysPrintInfo(cmd, info)
}

func runKeysDelete(cmd *cobra.Command, args []string) error {
	kr, p, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	info, err := kr.Show(args[0])
	if err != nil {
		return err
	}
	if yes, _ := cmd.Flags().GetBool("yes"); !yes {
		ok, err := p.Confirm(fmt.Sprintf("Delete key %q (%s)? It cannot be recovered without a backup.", info.Name, info.Address))
		if err != nil {
			return fmt.Errorf("keys delete: %w", err)
		}
		if !ok {
			return errors.New("keys delete: not confirmed, key kept")
		}
	}
	if err := kr.Delete(info.Name); err != nil {
		return err
	}
	if outputJSON(cmd) {
		return keysPrintJSON(cmd.OutOrStdout(), map[string]string{"deleted": info.Name, "address": info.Address.String()})
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "deleted key %s (%s)\n", info.Name, info.Address)
	return err
}

func runKeysExport(cmd *cobra.Command, args []string) error {
	kr, p, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	info, err := kr.Show(args[0])
	if err != nil {
		return err
	}
	armor, err := kr.Export(info.Name, keysExportPassphrase(cmd, p))
	if err != nil {
		return err
	}
	out, _ := cmd.Flags().GetString("out")
	if out != "" {
		if err := keyring.WriteNewFile(out, armor); err != nil {
			return err
		}
	}
	switch {
	case outputJSON(cmd):
		v := map[string]string{"name": info.Name, "address": info.Address.String()}
		if out != "" {
			v["file"] = out
		} else {
			v["armored"] = string(armor)
		}
		return keysPrintJSON(cmd.OutOrStdout(), v)
	case out != "":
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "exported key %s (%s) to %s\n", info.Name, info.Address, out)
	default:
		_, err = cmd.OutOrStdout().Write(armor)
	}
	return err
}

func runKeysImport(cmd *cobra.Command, args []string) error {
	kr, p, err := keyringFromFlags(cmd)
	if err != nil {
		return err
	}
	armor, err := keysReadFile(args[1])
	if err != nil {
		return err
	}
	info, err := kr.Import(args[0], armor, keysExportPassphrase(cmd, p))
	if err != nil {
		return err
	}
	return keysPrintInfo(cmd, info)
}

// keysReadFile reads an armored key file of bounded size.
func keysReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keys import: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("keys import: read %s: %w", path, err)
	}
	if len(b) > maxImportSize {
		return nil, fmt.Errorf("keys import: %s is larger than %d bytes: not an exported key", path, maxImportSize)
	}
	return b, nil
}

// keysPrintInfo prints one key as JSON or as "field: value" lines.
func keysPrintInfo(cmd *cobra.Command, info keyring.Info) error {
	if outputJSON(cmd) {
		return keysPrintJSON(cmd.OutOrStdout(), info)
	}
	_, err := fmt.Fprintf(cmd.OutOrStdout(), "name: %s\naddress: %s\npub_key: %s\nstorage: %s\n",
		info.Name, info.Address, info.PubKeyHex(), keysStorage(info))
	return err
}

// keysStorage says how a key is kept on disk.
func keysStorage(info keyring.Info) string {
	if info.Encrypted {
		return "encrypted"
	}
	return "unencrypted"
}

// keysPrintJSON writes v as indented JSON.
func keysPrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
