;;; emacs.el --- drives Emacs and Eglot through the shipped editors/emacs/gomodls.el  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run as `emacs --batch -l emacs.el' (Debian's site files load the elpa packages, no user init)
;; with the environment:
;;   GOMODLS_REPO      the repository root (editors/emacs is put on `load-path' from there)
;;   GOMODLS_BIN       the gomodls binary under test
;;   GOMODLS_WORKDIR   the folder holding go.mod, go.work and go.sum
;;   GOMODLS_RESULT    where to write the JSON result
;;   GOMODLS_WAIT_MS   the bound of every wait
;;   GOMODLS_HOVER_AT, GOMODLS_QUICK_FIX_AT  "line,column" (0-based) in go.mod
;;   GOMODLS_DELETE_LINES  how many lines the user deletes from the end of go.mod
;;   GOMODLS_PICK      what the user looks for in a menu of code actions
;; Every wait is bounded; on failure the result is {"error": ...} and Emacs exits with 1.
;; Batch Emacs has no command loop: the script runs `post-command-hook' and the idle timers
;; itself where a user's command or pause would.

;;; Code:

(require 'json)
(require 'cl-lib)
(require 'subr-x)

(defun gomodls-test--env (name)
  "The environment variable NAME, which must be set."
  (or (getenv name) (error "%s is not set" name)))

(defvar gomodls-test--wait-seconds
  (/ (string-to-number (or (getenv "GOMODLS_WAIT_MS") "30000")) 1000.0))

(defvar gomodls-test--messages nil "What Emacs showed with `message', newest first.")
(advice-add 'message :around
            (lambda (original format-string &rest args)
              (let ((text (apply original format-string args)))
                (when text (push text gomodls-test--messages))
                text)))

;; The version of the last diagnostics published for each file, to know when the diagnostics of
;; an edit have arrived (Flymake drops those of deleted text at once, before the server answers).
(defvar gomodls-test--published (make-hash-table :test #'equal))
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'textDocument/publishDiagnostics)
                (puthash (plist-get params :uri) (or (plist-get params :version) t)
                         gomodls-test--published))))

;; What a user's init.el does (README.md), with the freshly built binary as the program.
(add-to-list 'load-path (expand-file-name "editors/emacs" (gomodls-test--env "GOMODLS_REPO")))
(require 'gomodls)
(setq gomodls-program (gomodls-test--env "GOMODLS_BIN"))
(gomodls-enable-eglot)
(add-hook 'project-find-functions #'gomodls-project-find)
;; Nothing may ask the (absent) user a question.
(setq eglot-confirm-server-initiated-edits nil)

(defun gomodls-test--wait (what predicate)
  "Wait until PREDICATE returns non-nil and return that; error naming WHAT after the bound."
  (let ((deadline (+ (float-time) gomodls-test--wait-seconds))
        (value nil))
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (or value (error "Timed out waiting for %s" what))))

(defun gomodls-test--after-command ()
  "What the command loop does after each command, then once Emacs is idle."
  (run-hooks 'post-command-hook)
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun gomodls-test--text ()
  "The whole text of the current buffer."
  (buffer-substring-no-properties (point-min) (point-max)))

(defun gomodls-test--goto (variable)
  "Move point to the \"line,column\" (0-based) held by the environment VARIABLE."
  (let ((parts (split-string (gomodls-test--env variable) ",")))
    (goto-char (point-min))
    (forward-line (string-to-number (car parts)))
    (forward-char (string-to-number (cadr parts)))))

(defun gomodls-test--diagnostics ()
  "The Flymake diagnostics of the current buffer, as 0-based lines and columns, sorted."
  (let ((list (mapcar
               (lambda (diagnostic)
                 (let ((beg (flymake-diagnostic-beg diagnostic))
                       (end (flymake-diagnostic-end diagnostic)))
                   (save-excursion
                     `((lnum . ,(progn (goto-char beg) (1- (line-number-at-pos))))
                       (col . ,(- beg (line-beginning-position)))
                       (end_lnum . ,(progn (goto-char end) (1- (line-number-at-pos))))
                       (end_col . ,(- end (line-beginning-position)))
                       (type . ,(symbol-name (flymake-diagnostic-type diagnostic)))
                       (text . ,(flymake-diagnostic-text diagnostic))))))
               (flymake-diagnostics))))
    (sort list (lambda (a b)
                 (or (< (alist-get 'lnum a) (alist-get 'lnum b))
                     (and (= (alist-get 'lnum a) (alist-get 'lnum b))
                          (< (alist-get 'col a) (alist-get 'col b))))))))

(defun gomodls-test--open (name)
  "Visit NAME in the work folder as a user would, wait for Eglot, and return the server."
  (find-file (expand-file-name name (gomodls-test--env "GOMODLS_WORKDIR")))
  (gomodls-test--after-command)
  (gomodls-test--wait (format "Eglot to manage %s" name)
                      (lambda () (and eglot--managed-mode (eglot-current-server))))
  ;; Flymake asks Eglot's backend for diagnostics when it starts.
  (flymake-start)
  (eglot-current-server))

(defun gomodls-test--capable (capability)
  "Whether the server of the current buffer offers CAPABILITY, as Eglot sees it."
  (if (eglot--server-capable capability) t :json-false))

(defun gomodls-test--scenario ()
  "Open, diagnose, edit, hover, quick fix and format go.mod; then go.work and go.sum."
  (let ((result nil) server)
    ;; 1. go.mod with a syntax error.
    (setq server (gomodls-test--open "go.mod"))
    (push `(major_mode . ,(symbol-name major-mode)) result)
    (push `(root . ,(project-root (eglot--project server))) result)
    (push `(supports . ((hover . ,(gomodls-test--capable :hoverProvider))
                        (code_action . ,(gomodls-test--capable :codeActionProvider))
                        (formatting . ,(gomodls-test--capable :documentFormattingProvider))))
          result)
    (push `(diagnostics_broken
            . ,(vconcat (gomodls-test--wait "the diagnostics of go.mod"
                                            #'gomodls-test--diagnostics)))
          result)

    ;; 2. The user deletes the last lines; Eglot sends the change once they pause.
    (goto-char (point-max))
    (forward-line (- (string-to-number (gomodls-test--env "GOMODLS_DELETE_LINES"))))
    (delete-region (point) (point-max))
    (gomodls-test--after-command)
    (push `(text_fixed . ,(gomodls-test--text)) result)
    (let ((uri (eglot--path-to-uri (buffer-file-name)))
          (version eglot--versioned-identifier))
      (gomodls-test--wait "the diagnostics of the edited go.mod"
                          (lambda () (equal (gethash uri gomodls-test--published) version))))
    (gomodls-test--after-command)
    (push `(diagnostics_fixed . ,(vconcat (gomodls-test--diagnostics))) result)

    ;; 3. Hover, through ElDoc's function as `eldoc' calls it.
    (gomodls-test--goto "GOMODLS_HOVER_AT")
    (when (eglot--server-capable :hoverProvider)
      (let ((shown nil))
        (eglot-hover-eldoc-function (lambda (info &rest _) (setq shown (or info 'none))))
        (gomodls-test--wait "the hover" (lambda () shown))
        (push `(hover . ,(if (stringp shown) (substring-no-properties shown) nil)) result)))

    ;; 4. The quick fix at point, as M-x eglot-code-action-quickfix runs it.
    (gomodls-test--goto "GOMODLS_QUICK_FIX_AT")
    ;; Several quick fixes come as a `completing-read' menu: the user picks the entry holding
    ;; GOMODLS_PICK (or takes the default).
    (when (eglot--server-capable :codeActionProvider)
      (let ((menus nil))
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt collection &optional _predicate _require _initial _history
                                    default &rest _)
                     (let ((names (mapcar (lambda (entry) (if (consp entry) (car entry) entry))
                                          collection)))
                       (push names menus)
                       (or (cl-find-if (lambda (name)
                                         (string-search (gomodls-test--env "GOMODLS_PICK") name))
                                       names)
                           (if (consp default) (car default) default))))))
          ;; As from the keyboard (M-x), where Eglot asks in the minibuffer, not a mouse menu.
          (let ((last-nonmenu-event ?\r))
            (eglot-code-actions (point) (point) "quickfix" t)))
        (push `(quick_fix_menus . ,(vconcat (mapcar #'vconcat (reverse menus)))) result)))
    (push `(text_after_quick_fix . ,(gomodls-test--text)) result)

    ;; 5. M-x eglot-format-buffer.
    (when (eglot--server-capable :documentFormattingProvider)
      (eglot-format-buffer))
    (push `(text_final . ,(gomodls-test--text)) result)

    ;; 6. go.work and go.sum join the same server.
    (let ((work-server (gomodls-test--open "go.work")))
      (push `(work_major_mode . ,(symbol-name major-mode)) result)
      (push `(work_same_server . ,(if (eq work-server server) t :json-false)) result)
      (push `(work_diagnostics
              . ,(vconcat (gomodls-test--wait "the diagnostics of go.work"
                                              #'gomodls-test--diagnostics)))
            result))
    (let ((sum-server (gomodls-test--open "go.sum")))
      (push `(sum_major_mode . ,(symbol-name major-mode)) result)
      (push `(sum_same_server . ,(if (eq sum-server server) t :json-false)) result))

    (push `(messages . ,(vconcat (reverse gomodls-test--messages))) result)
    (eglot-shutdown server)
    result))

(defun gomodls-test--write (value)
  "Write VALUE as JSON to GOMODLS_RESULT."
  (with-temp-file (gomodls-test--env "GOMODLS_RESULT")
    (insert (json-encode value))))

(condition-case problem
    (progn
      (gomodls-test--write (gomodls-test--scenario))
      (kill-emacs 0))
  (error
   (gomodls-test--write `((error . ,(error-message-string problem))
                          (messages . ,(vconcat (reverse gomodls-test--messages)))))
   (kill-emacs 1)))

;;; emacs.el ends here
