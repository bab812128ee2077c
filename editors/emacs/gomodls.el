;;; gomodls.el --- Eglot setup for gomodls, the go.mod, go.work and go.sum language server  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools
;; URL: https://github.com/gomodls/gomodls

;;; Commentary:

;; Tells Eglot to run gomodls for go.mod, go.work and go.sum buffers:
;;
;;   (add-to-list 'load-path "/path/to/gomodls/editors/emacs")
;;   (require 'gomodls)
;;   (gomodls-enable-eglot)   ; start Eglot in those buffers by itself
;;
;; go.mod buffers use `go-dot-mod-mode' from go-mode (Debian: elpa-go-mode) or, on Emacs 29+,
;; `go-mod-ts-mode'.  go-mode has no mode for go.work and go.sum, so this file adds two small
;; ones, `gomodls-go-work-mode' and `gomodls-go-sum-mode' (Emacs 30's `go-work-ts-mode' works
;; too).  See README.md beside this file.

;;; Code:

(require 'eglot)
(require 'project)
(require 'go-mode nil t)

(defgroup gomodls nil
  "The gomodls language server for go.mod, go.work and go.sum."
  :group 'eglot
  :prefix "gomodls-")

(defcustom gomodls-program "gomodls"
  "The gomodls executable: a name looked up in `exec-path', or an absolute file name."
  :type 'string)

(defcustom gomodls-program-args nil
  "Arguments for `gomodls-program'; it serves LSP over stdio without any."
  :type '(repeat string))

(defconst gomodls-modes
  '((go-dot-mod-mode :language-id "gomod")
    (go-mod-ts-mode :language-id "gomod")
    (gomodls-go-mod-mode :language-id "gomod")
    (go-work-ts-mode :language-id "gowork")
    (gomodls-go-work-mode :language-id "gowork")
    (gomodls-go-sum-mode :language-id "gosum"))
  "The major modes gomodls serves, with the language id Eglot sends for each.
The server tells the files apart by their names; the ids are a fallback.")

(defvar gomodls--comment-syntax-table
  (let ((table (make-syntax-table)))
    ;; `//' starts a comment that runs to the end of the line, as in go.mod.
    (modify-syntax-entry ?/ ". 12" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?` "\"" table)
    table)
  "Syntax table of the modes defined here.")

(defconst gomodls--go-work-keywords
  `((,(concat "^\\s-*" (regexp-opt '("go" "toolchain" "godebug" "use" "replace") t) "\\_>")
     1 font-lock-keyword-face)
    ("=>" . font-lock-builtin-face))
  "Highlighting of go.work directives.")

(defconst gomodls--go-mod-keywords
  `((,(concat "^\\s-*" (regexp-opt '("module" "go" "toolchain" "godebug" "require" "exclude"
                                     "replace" "retract" "tool" "ignore")
                                   t)
              "\\_>")
     1 font-lock-keyword-face)
    ("=>" . font-lock-builtin-face))
  "Highlighting of go.mod directives, for `gomodls-go-mod-mode'.")

(define-derived-mode gomodls-go-work-mode prog-mode "Go Work"
  "Major mode for go.work files, served by gomodls through Eglot."
  :syntax-table gomodls--comment-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-start-skip "//+\\s-*")
  (setq-local indent-tabs-mode t)
  (setq-local font-lock-defaults '(gomodls--go-work-keywords)))

(define-derived-mode gomodls-go-mod-mode prog-mode "Go Mod"
  "Major mode for go.mod files when go-mode is not installed, served by gomodls through Eglot."
  :syntax-table gomodls--comment-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-start-skip "//+\\s-*")
  (setq-local indent-tabs-mode t)
  (setq-local font-lock-defaults '(gomodls--go-mod-keywords)))

(define-derived-mode gomodls-go-sum-mode fundamental-mode "Go Sum"
  "Major mode for go.sum and go.work.sum files, served by gomodls through Eglot.")

;; go.work and go.sum get our modes; go.mod keeps go-mode's own unless it is missing.
(add-to-list 'auto-mode-alist '("/go\\.work\\'" . gomodls-go-work-mode))
(add-to-list 'auto-mode-alist '("/go\\.\\(?:work\\.\\)?sum\\'" . gomodls-go-sum-mode))
(unless (fboundp 'go-dot-mod-mode)
  (add-to-list 'auto-mode-alist '("/go\\.mod\\'" . gomodls-go-mod-mode)))

(defun gomodls--contact (&optional _interactive)
  "The command Eglot runs: `gomodls-program' with `gomodls-program-args'."
  (cons gomodls-program gomodls-program-args))

;; One entry for all three kinds of file, so one server serves a project's go.mod, go.work and
;; go.sum together.
(add-to-list 'eglot-server-programs (cons gomodls-modes #'gomodls--contact))

;;;###autoload
(defun gomodls-enable-eglot ()
  "Start Eglot by itself in every go.mod, go.work and go.sum buffer."
  (dolist (mode gomodls-modes)
    (add-hook (intern (format "%s-hook" (car mode))) #'eglot-ensure)))

;;;###autoload
(defun gomodls-project-find (directory)
  "A project for DIRECTORY: the nearest go.work above it, else the nearest go.mod.
Add it to `project-find-functions' to make that folder Eglot's workspace root, as the go
command would, instead of the version-control root."
  (let ((root (or (locate-dominating-file directory "go.work")
                  (locate-dominating-file directory "go.mod"))))
    (and root (cons 'gomodls (file-name-as-directory (expand-file-name root))))))

(cl-defmethod project-root ((project (head gomodls)))
  "The root folder of a PROJECT found by `gomodls-project-find'."
  (cdr project))

(provide 'gomodls)
;;; gomodls.el ends here
